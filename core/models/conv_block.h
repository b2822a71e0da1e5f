#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace tl {

/// A Sequential with a plain Tensor → Tensor forward, so that it can sit
/// inside another Sequential (LibTorch's own Sequential cannot, its forward is
/// a template; torchvision's C++ models use the same trick). small_cnn's blocks
/// are ConvBlock(Conv2d 3x3 without bias, BatchNorm2d, ReLU, MaxPool2d 2),
/// children named "0".."3" as in PyTorch.
class ConvBlockImpl : public torch::nn::SequentialImpl {
 public:
  ConvBlockImpl(int64_t in_channels, int64_t out_channels);

  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvBlock);

}  // namespace tl
