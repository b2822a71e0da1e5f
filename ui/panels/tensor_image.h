#pragma once

// Torch-free: at::Tensor (torch::Tensor) is only declared here.

#include <QImage>

namespace at {
class Tensor;
}

namespace tl {

/// An image tensor [C, H, W] with values in [0, 1] (1 channel: grey, 3: RGB)
/// as an 8-bit QImage of its own; values outside [0, 1] are clamped.
QImage tensorToImage(const at::Tensor& chw);

}  // namespace tl
