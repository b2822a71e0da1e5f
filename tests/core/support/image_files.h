#pragma once

// Image files written at test time, for the image-folder tests. stb_image_write
// (libstb-dev) is compiled static into every test file that includes this, so
// no test binary needs a separate implementation file.

#include "support/test_dir.h"

#include <torch/torch.h>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl::test {

/// uint8 [channels, height, width] whose pixels differ by position and channel.
inline torch::Tensor gradient_image(int64_t channels, int64_t height, int64_t width, int64_t offset = 0) {
  const torch::Tensor c = torch::arange(channels).view({channels, 1, 1}) * 67;
  const torch::Tensor y = torch::arange(height).view({1, height, 1}) * 23;
  const torch::Tensor x = torch::arange(width).view({1, 1, width}) * 9;
  return ((c + y + x + offset) % 256).to(torch::kUInt8);
}

/// A TestDir to write image files into.
class ImageDir {
 public:
  const std::string& root() const { return root_; }
  std::string path(const std::string& relative) const { return dir_.path(relative); }

  void write_png(const std::string& relative, const torch::Tensor& chw) const {
    write_bytes(relative, png_bytes(chw));
  }
  void write_bmp(const std::string& relative, const torch::Tensor& chw) const {
    const torch::Tensor hwc = interleaved(chw);
    check(stbi_write_bmp(prepare(relative).c_str(), hwc.size(1), hwc.size(0), hwc.size(2), hwc.data_ptr()), relative);
  }
  void write_jpeg(const std::string& relative, const torch::Tensor& chw) const {
    const torch::Tensor hwc = interleaved(chw);
    check(stbi_write_jpg(prepare(relative).c_str(), hwc.size(1), hwc.size(0), hwc.size(2), hwc.data_ptr(), 95),
          relative);
  }
  /// The first half of a valid PNG: its header parses, its pixels do not.
  void write_truncated_png(const std::string& relative, const torch::Tensor& chw) const {
    std::vector<unsigned char> bytes = png_bytes(chw);
    bytes.resize(bytes.size() / 2);
    write_bytes(relative, bytes);
  }
  void write_text(const std::string& relative, const std::string& text) const { write_file(prepare(relative), text); }
  void make_dir(const std::string& relative) const { std::filesystem::create_directories(path(relative)); }

 private:
  static torch::Tensor interleaved(const torch::Tensor& chw) { return chw.permute({1, 2, 0}).contiguous(); }

  static std::vector<unsigned char> png_bytes(const torch::Tensor& chw) {
    const torch::Tensor hwc = interleaved(chw);
    std::vector<unsigned char> bytes;
    const auto append = [](void* context, void* data, int size) {
      auto* out = static_cast<std::vector<unsigned char>*>(context);
      out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
    };
    const int stride = static_cast<int>(hwc.size(1) * hwc.size(2));
    if (!stbi_write_png_to_func(append, &bytes, hwc.size(1), hwc.size(0), hwc.size(2), hwc.data_ptr(), stride)) {
      throw std::runtime_error("stbi_write_png_to_func failed");
    }
    return bytes;
  }

  std::string prepare(const std::string& relative) const {
    const std::filesystem::path target = path(relative);
    std::filesystem::create_directories(target.parent_path());
    return target.string();
  }
  void write_bytes(const std::string& relative, const std::vector<unsigned char>& bytes) const {
    write_file(prepare(relative), std::string(bytes.begin(), bytes.end()));
  }
  static void check(int ok, const std::string& relative) {
    if (!ok) throw std::runtime_error("cannot write test image " + relative);
  }

  TestDir dir_;
  std::string root_ = dir_.path();
};

}  // namespace tl::test
