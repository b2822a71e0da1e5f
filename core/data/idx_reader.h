#pragma once

#include "data/dataset.h"

#include <string>

namespace tl {

/// Reads one IDX file (the MNIST / Fashion-MNIST container format), plain or
/// gzip-compressed, into a uint8 tensor with the file's dimensions.
///
/// Only unsigned-byte payloads (type code 0x08) are accepted. Throws
/// std::runtime_error naming the file and the problem (missing, bad magic,
/// unsupported type, truncated payload, declared size too large) on bad input.
torch::Tensor read_idx(const std::string& path);

/// read_idx on a file's bytes already in memory (plain or gzip-compressed);
/// `path` only names the file in error messages. Never allocates more than
/// the data really holds, whatever size the header declares.
torch::Tensor read_idx_bytes(const uint8_t* data, size_t size, const std::string& path);

/// Which half of Fashion-MNIST to load.
enum class DataSplit { Train, Test };

/// The directory that Debian's dataset-fashion-mnist package installs to.
std::string default_fashion_mnist_dir();

/// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

/// Loads the train (60k) or test (10k) split of Fashion-MNIST from `dir`
/// (`train-images-idx3-ubyte.gz` and friends) as a Dataset of float images
/// [N, 1, 28, 28] in [0, 1]. Throws naming the file when one is missing or the
/// image and label counts differ.
Dataset load_fashion_mnist(const std::string& dir, DataSplit split);

}  // namespace tl
