#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace tl {

/// torchvision's ResNet Bottleneck (v1.5, stride on the 3x3): conv1 (1x1), bn1,
/// conv2 (3x3, stride), bn2, conv3 (1x1, 4x planes), bn3, plus the identity or
/// `downsample` (1x1 conv + BN when the stride or the width changes).
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;

  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride = 1);

  torch::Tensor forward(torch::Tensor x);

  /// Multiply-adds of one forward pass on a [inplanes, height, width] input.
  int64_t multiply_adds(int64_t height, int64_t width) const;

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Conv2d conv3;
  torch::nn::BatchNorm2d bn3;
  torch::nn::Sequential downsample;

 private:
  int64_t inplanes_;
  int64_t planes_;
  int64_t stride_;
};
TORCH_MODULE(Bottleneck);

}  // namespace tl
