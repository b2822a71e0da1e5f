#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace tl {

/// torchvision's ResNet BasicBlock: conv1 (3x3, stride), bn1, ReLU, conv2
/// (3x3), bn2, plus the identity or `downsample` (1x1 conv + BN, registered
/// only when the stride or the width changes), then ReLU.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;

  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride = 1);

  torch::Tensor forward(torch::Tensor x);

  /// Multiply-adds of one forward pass on a [inplanes, height, width] input.
  int64_t multiply_adds(int64_t height, int64_t width) const;

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Sequential downsample;

 private:
  int64_t inplanes_;
  int64_t planes_;
  int64_t stride_;
};
TORCH_MODULE(BasicBlock);

/// The 1x1 convolution + BatchNorm2d shortcut of a residual block, or an empty
/// holder when the shape does not change.
torch::nn::Sequential make_downsample(int64_t inplanes, int64_t outplanes, int64_t stride);

}  // namespace tl
