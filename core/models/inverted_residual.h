#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace tl {

/// torchvision's Conv2dNormActivation as MobileNetV2 uses it: Conv2d (no bias,
/// "same" padding, optional groups), BatchNorm2d, ReLU6; children "0".."2".
/// A Sequential with a Tensor → Tensor forward so it can sit inside another
/// Sequential (see ConvBlock).
class ConvBnReLU6Impl : public torch::nn::SequentialImpl {
 public:
  ConvBnReLU6Impl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride = 1, int64_t groups = 1);

  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvBnReLU6);

/// torchvision's MobileNetV2 InvertedResidual: `conv` = [1x1 expansion
/// ConvBnReLU6 when expand_ratio != 1], 3x3 depthwise ConvBnReLU6 (stride),
/// 1x1 linear projection Conv2d, BatchNorm2d; plus the identity when the stride
/// is 1 and the width does not change.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int64_t in_channels, int64_t out_channels, int64_t stride, int64_t expand_ratio);

  torch::Tensor forward(torch::Tensor x);

  /// Multiply-adds of one forward pass on a [in_channels, height, width] input.
  int64_t multiply_adds(int64_t height, int64_t width) const;

  int64_t stride() const { return stride_; }

  torch::nn::Sequential conv;

 private:
  int64_t in_channels_;
  int64_t out_channels_;
  int64_t hidden_;
  int64_t stride_;
};
TORCH_MODULE(InvertedResidual);

}  // namespace tl
