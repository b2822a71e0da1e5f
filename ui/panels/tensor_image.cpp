#include "panels/tensor_image.h"

#include <torch/torch.h>

#include <cstring>

namespace tl {

QImage tensorToImage(const at::Tensor& chw) {
  const auto bytes = (chw.clamp(0.0, 1.0) * 255.0).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  const int h = static_cast<int>(bytes.size(0));
  const int w = static_cast<int>(bytes.size(1));
  const bool grey = bytes.size(2) == 1;
  QImage image(w, h, grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
  // QImage rows are 32-bit aligned; the tensor's are packed.
  const int rowBytes = w * static_cast<int>(bytes.size(2));
  for (int y = 0; y < h; ++y) std::memcpy(image.scanLine(y), bytes.data_ptr<uint8_t>() + y * rowBytes, rowBytes);
  return image;
}

}  // namespace tl
