#pragma once

#include <torch/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tl {

/// A file that is missing, unreadable or not a decodable image.
struct ImageFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Decodes a PNG, JPEG or BMP file (by content, not extension) to uint8 [C, H, W].
/// channels: 0 = as stored (grey and grey+alpha → 1, RGB and RGBA → 3), 1 or 3 = converted.
/// Throws ImageFileError naming the path and the reason.
torch::Tensor read_image(const std::string& path, int64_t channels = 0);

/// uint8 or float [C, H, W] → float [C, height, width] in [0, 1]; bilinear with
/// antialiasing when shrinking; returned unchanged (as float) when already that size.
torch::Tensor resize_image(const torch::Tensor& image, int64_t height, int64_t width);

}  // namespace tl
