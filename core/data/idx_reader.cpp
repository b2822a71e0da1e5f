#include "data/idx_reader.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl {

namespace {

/// Largest payload read_idx accepts; a header declaring more is corrupt or hostile.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 31;
constexpr int kUnsignedByteType = 0x08;

std::runtime_error file_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

/// zlib takes lengths as 32-bit unsigned; larger spans go in pieces of this size.
constexpr uint64_t kZlibChunk = uint64_t{1} << 30;

/// An IDX file's bytes in memory, plain or gzip-compressed (detected by the
/// gzip magic 1f 8b, as gzread does), read front to back.
class IdxStream {
 public:
  IdxStream(const uint8_t* data, size_t size, std::string path)
      : data_(data), size_(size), path_(std::move(path)) {
    gzip_ = size_ >= 2 && data_[0] == 0x1f && data_[1] == 0x8b;
    if (gzip_ && inflateInit2(&zlib_, 15 + 16) != Z_OK) throw file_error(path_, "cannot start gzip decompression");
  }
  ~IdxStream() {
    if (gzip_) inflateEnd(&zlib_);
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  /// Reads up to `size` bytes; fewer only at the end of the data. Throws on corrupt gzip data.
  uint64_t read(void* dst, uint64_t size) {
    return gzip_ ? inflate_into(static_cast<unsigned char*>(dst), size) : copy_into(dst, size);
  }

  /// At most how many bytes are left: exact for plain data, unknown (max) for gzip.
  uint64_t max_remaining() const { return gzip_ ? std::numeric_limits<uint64_t>::max() : size_ - offset_; }

 private:
  uint64_t copy_into(void* dst, uint64_t size) {
    const uint64_t n = std::min<uint64_t>(size, size_ - offset_);
    if (n > 0) std::memcpy(dst, data_ + offset_, n);
    offset_ += n;
    return n;
  }

  /// Serves reads from a window that inflate fills ahead of them, so a
  /// corrupt stream is reported as corrupt (as gzread does) rather than
  /// surfacing as a bad magic number in its first few garbage bytes.
  uint64_t inflate_into(unsigned char* dst, uint64_t size) {
    uint64_t done = 0;
    while (done < size) {
      if (window_pos_ == window_.size() && !refill_window()) break;
      const uint64_t n = std::min<uint64_t>(size - done, window_.size() - window_pos_);
      std::memcpy(dst + done, window_.data() + window_pos_, n);
      window_pos_ += n;
      done += n;
    }
    return done;
  }

  /// Inflates up to kWindow bytes; false at the end of the stream.
  bool refill_window() {
    constexpr uInt kWindow = 1u << 16;
    window_.resize(kWindow);
    window_pos_ = 0;
    zlib_.next_out = window_.data();
    zlib_.avail_out = kWindow;
    while (zlib_.avail_out > 0 && !ended_) {
      if (zlib_.avail_in == 0 && offset_ < size_) {
        const uint64_t n = std::min<uint64_t>(size_ - offset_, kZlibChunk);
        zlib_.next_in = const_cast<Bytef*>(data_ + offset_);  // zlib never writes its input
        zlib_.avail_in = static_cast<uInt>(n);
        offset_ += n;
      }
      const int rc = inflate(&zlib_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && zlib_.avail_in == 0 && offset_ == size_)) {
        ended_ = true;  // the end of the stream, or of a cut one (reported as truncated by the caller)
      } else if (rc != Z_OK) {
        throw file_error(path_, std::string("corrupt gzip data: ") + (zlib_.msg ? zlib_.msg : zError(rc)));
      }
    }
    window_.resize(kWindow - zlib_.avail_out);
    return !window_.empty();
  }

  const uint8_t* data_;
  uint64_t size_;
  std::string path_;
  uint64_t offset_ = 0;  ///< bytes of `data_` consumed (given to zlib, when compressed)
  bool gzip_ = false;
  bool ended_ = false;
  z_stream zlib_{};
  std::vector<unsigned char> window_;  ///< inflated bytes not yet read
  size_t window_pos_ = 0;
};

void read_exact_header(IdxStream& in, const std::string& path, void* dst, uint64_t size) {
  const uint64_t got = in.read(dst, size);
  if (got != size) {
    throw file_error(path, "truncated: expected a header of " + std::to_string(size) +
                               " bytes, read " + std::to_string(got));
  }
}

/// Checks the 4-byte magic and returns the number of dimensions.
int read_magic(IdxStream& in, const std::string& path) {
  std::array<unsigned char, 4> magic{};
  read_exact_header(in, path, magic.data(), magic.size());
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

std::vector<int64_t> read_dims(IdxStream& in, const std::string& path, int ndims) {
  std::vector<unsigned char> raw(4 * static_cast<size_t>(ndims));
  read_exact_header(in, path, raw.data(), raw.size());
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
  // enough to compare against the limit without overflow. Zero dims are left
  // out of the check: LibTorch refuses a shape such as 2^24 x 2^25 x 2^24 x 0
  // (its storage size overflows int64) although it holds no bytes.
  long double total = 1;
  long double nonzero = 1;
  for (int64_t d : dims) {
    total *= static_cast<long double>(d);
    if (d != 0) nonzero *= static_cast<long double>(d);
  }
  if (nonzero > static_cast<long double>(kMaxPayloadBytes)) {
    std::string shape;
    for (size_t i = 0; i < dims.size(); ++i) shape += (i ? " x " : "") + std::to_string(dims[i]);
    throw file_error(path, "declared size " + shape + " exceeds the limit of " +
                               std::to_string(kMaxPayloadBytes) + " bytes");
  }
  return static_cast<uint64_t>(total);
}

/// Reads the payload in doubling steps rather than allocating the declared
/// size up front: a small file that declares 2 GB fails as truncated, having
/// held at most about twice what it really contains.
std::vector<uint8_t> read_payload(IdxStream& in, const std::string& path, uint64_t bytes) {
  constexpr uint64_t kFirstStep = uint64_t{1} << 20;
  std::vector<uint8_t> payload;
  while (payload.size() < bytes) {
    const uint64_t before = payload.size();
    const uint64_t want =
        std::min({bytes - before, std::max(kFirstStep, before), std::max<uint64_t>(in.max_remaining(), 1)});
    payload.resize(before + want);
    const uint64_t got = in.read(payload.data() + before, want);
    payload.resize(before + got);
    if (got < want) break;
  }
  if (payload.size() != bytes) {
    throw file_error(path, "truncated: expected " + std::to_string(bytes) + " bytes of data, read " +
                               std::to_string(payload.size()));
  }
  return payload;
}

/// A uint8 tensor of `dims` that owns `payload` without copying it.
torch::Tensor tensor_owning(std::vector<uint8_t> payload, const std::vector<int64_t>& dims) {
  if (payload.empty()) return torch::empty(dims, torch::kUInt8);
  auto owner = std::make_unique<std::vector<uint8_t>>(std::move(payload));
  void* data = owner->data();
  torch::Tensor out = torch::from_blob(
      data, dims, [keep = owner.get()](void*) { delete keep; }, torch::kUInt8);
  owner.release();  // the tensor's deleter owns it now
  return out;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw file_error(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw file_error(path, "is a directory, expected an IDX file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw file_error(path, std::string("cannot open file for reading: ") + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) throw file_error(path, "cannot tell the file's size");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) throw file_error(path, "read error");
  return bytes;
}

}  // namespace

torch::Tensor read_idx_bytes(const uint8_t* data, size_t size, const std::string& path) {
  IdxStream in(data, size, path);
  const int ndims = read_magic(in, path);
  const std::vector<int64_t> dims = read_dims(in, path, ndims);
  const uint64_t bytes = checked_payload_size(dims, path);
  return tensor_owning(read_payload(in, path, bytes), dims);
}

torch::Tensor read_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return read_idx_bytes(bytes.data(), bytes.size(), path);
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
