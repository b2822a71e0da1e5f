#include "data/idx_reader.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl {

namespace {

/// Largest payload read_idx accepts; a header declaring more is corrupt or hostile.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 31;
constexpr int kUnsignedByteType = 0x08;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::runtime_error file_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

GzFile open_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw file_error(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw file_error(path, "is a directory, expected an IDX file");
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw file_error(path, "cannot open file for reading");
  return f;
}

/// zlib's description of the last error, without the "path: " it prepends.
std::string zlib_message(gzFile_s* f, const std::string& path) {
  int code = 0;
  const char* raw = gzerror(f, &code);
  std::string msg = raw ? raw : "";
  if (msg.rfind(path + ": ", 0) == 0) msg.erase(0, path.size() + 2);
  if (code == Z_ERRNO) msg = std::strerror(errno);
  return msg.empty() ? "unknown zlib error" : msg;
}

/// Reads up to `size` bytes; returns how many were read. Throws on a stream error.
uint64_t read_bytes(gzFile_s* f, const std::string& path, void* dst, uint64_t size) {
  auto* out = static_cast<unsigned char*>(dst);
  uint64_t done = 0;
  while (done < size) {
    const auto chunk = static_cast<unsigned>(std::min<uint64_t>(size - done, 1u << 30));
    const int n = gzread(f, out + done, chunk);
    if (n < 0) {
      throw file_error(path, "corrupt gzip data: " + zlib_message(f, path));
    }
    if (n == 0) break;
    done += static_cast<uint64_t>(n);
  }
  return done;
}

void read_exact_header(gzFile_s* f, const std::string& path, void* dst, uint64_t size) {
  const uint64_t got = read_bytes(f, path, dst, size);
  if (got != size) {
    throw file_error(path, "truncated: expected a header of " + std::to_string(size) +
                               " bytes, read " + std::to_string(got));
  }
}

/// Checks the 4-byte magic and returns the number of dimensions.
int read_magic(gzFile_s* f, const std::string& path) {
  std::array<unsigned char, 4> magic{};
  read_exact_header(f, path, magic.data(), magic.size());
  if (magic[0] != 0 || magic[1] != 0) {
    throw file_error(path, "bad magic: expected an IDX file starting with two zero bytes, got " +
                               hex_byte(magic[0]) + " " + hex_byte(magic[1]));
  }
  if (magic[2] != kUnsignedByteType) {
    throw file_error(path, "unsupported IDX type " + hex_byte(magic[2]) +
                               ": only unsigned bytes (0x08) are supported");
  }
  if (magic[3] < 1 || magic[3] > 4) {
    throw file_error(path, "unsupported number of dimensions " + std::to_string(magic[3]) +
                               ": expected 1 to 4");
  }
  return magic[3];
}

std::vector<int64_t> read_dims(gzFile_s* f, const std::string& path, int ndims) {
  std::vector<unsigned char> raw(4 * static_cast<size_t>(ndims));
  read_exact_header(f, path, raw.data(), raw.size());
  std::vector<int64_t> dims(ndims);
  for (int d = 0; d < ndims; ++d) {
    const unsigned char* b = raw.data() + 4 * d;
    dims[d] = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | int64_t{b[3]};
  }
  return dims;
}

/// Product of the dimensions; throws before any allocation when it exceeds the limit.
uint64_t checked_payload_size(const std::vector<int64_t>& dims, const std::string& path) {
  // Each dim is < 2^32 and there are at most 4, so a long double product is
  // enough to compare against the limit without overflow.
  long double total = 1;
  for (int64_t d : dims) total *= static_cast<long double>(d);
  if (total > static_cast<long double>(kMaxPayloadBytes)) {
    std::string shape;
    for (size_t i = 0; i < dims.size(); ++i) shape += (i ? " x " : "") + std::to_string(dims[i]);
    throw file_error(path, "declared size " + shape + " exceeds the limit of " +
                               std::to_string(kMaxPayloadBytes) + " bytes");
  }
  return static_cast<uint64_t>(total);
}

}  // namespace

torch::Tensor read_idx(const std::string& path) {
  GzFile file = open_file(path);
  const int ndims = read_magic(file.get(), path);
  const std::vector<int64_t> dims = read_dims(file.get(), path, ndims);
  const uint64_t bytes = checked_payload_size(dims, path);
  torch::Tensor out = torch::empty(dims, torch::kUInt8);
  const uint64_t got = read_bytes(file.get(), path, out.data_ptr<uint8_t>(), bytes);
  if (got != bytes) {
    throw file_error(path, "truncated: expected " + std::to_string(bytes) + " bytes of data, read " +
                               std::to_string(got));
  }
  return out;
}

std::string default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                 "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

namespace {

std::string fashion_file(const std::string& dir, DataSplit split, const char* kind) {
  const std::string prefix = split == DataSplit::Train ? "train" : "t10k";
  const std::filesystem::path p = std::filesystem::path(dir) / (prefix + "-" + kind + "-ubyte.gz");
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) {
    throw file_error(p.string(), "no such file (Fashion-MNIST is installed by the Debian package "
                                 "dataset-fashion-mnist)");
  }
  return p.string();
}

torch::Tensor read_images(const std::string& path) {
  torch::Tensor raw = read_idx(path);
  if (raw.dim() != 3) {
    throw file_error(path, "expected images with 3 dimensions [N, H, W], got " +
                               std::to_string(raw.dim()));
  }
  return raw.unsqueeze(1).to(torch::kFloat).div_(255.0);
}

torch::Tensor read_labels(const std::string& path, int64_t num_classes) {
  torch::Tensor raw = read_idx(path);
  if (raw.dim() != 1) {
    throw file_error(path, "expected labels with 1 dimension [N], got " + std::to_string(raw.dim()));
  }
  torch::Tensor labels = raw.to(torch::kLong);
  if (labels.numel() > 0 && labels.max().item<int64_t>() >= num_classes) {
    throw file_error(path, "label " + std::to_string(labels.max().item<int64_t>()) +
                               " is out of range: expected 0 to " + std::to_string(num_classes - 1));
  }
  return labels;
}

}  // namespace

Dataset load_fashion_mnist(const std::string& dir, DataSplit split) {
  const std::string image_path = fashion_file(dir, split, "images-idx3");
  const std::string label_path = fashion_file(dir, split, "labels-idx1");
  Dataset data;
  data.class_names = fashion_mnist_class_names();
  data.labels = read_labels(label_path, data.num_classes());
  data.images = read_images(image_path);
  if (data.images.size(0) != data.labels.size(0)) {
    throw file_error(image_path, "holds " + std::to_string(data.images.size(0)) + " images but " +
                                     label_path + " holds " + std::to_string(data.labels.size(0)) +
                                     " labels");
  }
  return data;
}

}  // namespace tl
