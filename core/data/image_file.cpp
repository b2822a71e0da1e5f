#include "data/image_file.h"

#include <torch/nn/functional/upsampling.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <vector>

// stb_image is compiled here and nowhere else. Only the three formats Transfer
// Lab promises are built in, so a GIF or PSD is refused like any other
// non-image; STB_IMAGE_STATIC keeps its symbols private to this file.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace tl {
namespace {

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageFileError(path + ": cannot open the file");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ImageFileError(path + ": read error");
  if (bytes.empty()) throw ImageFileError(path + ": empty file");
  return bytes;
}

// Grey and grey+alpha decode to one channel, RGB and RGBA to three: alpha is
// dropped because the models see opaque images.
int stored_channels(const std::vector<unsigned char>& bytes, const std::string& path) {
  int width = 0, height = 0, components = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &components)) {
    throw ImageFileError(path + ": not a PNG, JPEG or BMP image (" + stbi_failure_reason() + ")");
  }
  return components <= 2 ? 1 : 3;
}

}  // namespace

torch::Tensor read_image(const std::string& path, int64_t channels) {
  if (channels != 0 && channels != 1 && channels != 3) {
    throw ImageFileError(path + ": cannot convert to " + std::to_string(channels) +
                         " channels (expected 0 = as stored, 1 or 3)");
  }
  const std::vector<unsigned char> bytes = read_bytes(path);
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw ImageFileError(path + ": file too large to decode");
  }
  // Identifying the format first tells "not an image" from "a broken image".
  const int stored = stored_channels(bytes, path);
  const int wanted = channels == 0 ? stored : static_cast<int>(channels);

  // stb converts colour to grey by luminance and grey to colour by repeating.
  int width = 0, height = 0, components = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &components, wanted),
      stbi_image_free);
  if (!pixels) {
    throw ImageFileError(path + ": cannot decode (" + stbi_failure_reason() + ")");
  }
  // stb hands out interleaved [H, W, C]; the models want planar [C, H, W].
  // clone, not contiguous(): a one-channel permute is already contiguous and
  // would still point into stb's buffer, which is freed on return.
  torch::Tensor interleaved = torch::from_blob(pixels.get(), {height, width, wanted}, torch::kUInt8);
  return interleaved.permute({2, 0, 1}).clone(at::MemoryFormat::Contiguous);
}

torch::Tensor resize_image(const torch::Tensor& image, int64_t height, int64_t width) {
  TORCH_CHECK(image.dim() == 3, "resize_image expects [C, H, W], got ", image.sizes());
  TORCH_CHECK(height > 0 && width > 0, "resize_image: target size must be positive, got ", height, "x", width);
  torch::Tensor scaled = image.scalar_type() == torch::kUInt8 ? image.to(torch::kFloat32).div_(255.0)
                                                              : image.to(torch::kFloat32);
  if (image.size(1) == height && image.size(2) == width) return scaled;

  // Antialiasing only matters when shrinking; enlarging stays plain bilinear.
  const bool shrinking = height < image.size(1) || width < image.size(2);
  namespace F = torch::nn::functional;
  torch::Tensor resized = F::interpolate(scaled.unsqueeze(0), F::InterpolateFuncOptions()
                                                                  .size(std::vector<int64_t>{height, width})
                                                                  .mode(torch::kBilinear)
                                                                  .align_corners(false)
                                                                  .antialias(shrinking));
  return resized.squeeze(0).clamp_(0.0, 1.0);
}

}  // namespace tl
