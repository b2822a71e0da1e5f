#pragma once

#include "data/dataset.h"
#include "data/idx_reader.h"

#include <string>

namespace tl {

/// load_fashion_mnist, read once per process and directory: decoding a split
/// takes about a second, and the GUI and a comparison's seeds build many tasks
/// from it. `dir` "" is the Debian package's directory. The returned Dataset
/// shares the cached tensors; operations on datasets return new tensors, so
/// callers cannot change the cache. Thread-safe.
Dataset cached_fashion_mnist(const std::string& dir, DataSplit split);

}  // namespace tl
