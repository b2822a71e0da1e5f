#include "models/inverted_residual.h"

#include "models/model_checks.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace tl {

ConvBnReLU6Impl::ConvBnReLU6Impl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                                 int64_t groups) {
  push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                                  .stride(stride)
                                  .padding((kernel - 1) / 2)
                                  .groups(groups)
                                  .bias(false)));
  push_back(torch::nn::BatchNorm2d(out_channels));
  push_back(torch::nn::ReLU6());
}

namespace {

torch::nn::Sequential make_conv(int64_t in, int64_t out, int64_t hidden, int64_t stride) {
  torch::nn::Sequential conv;
  // torchvision leaves the expansion out when the ratio is 1 (features.1), so
  // the depthwise convolution is then conv.0 instead of conv.1.
  if (hidden != in) conv->push_back(ConvBnReLU6(in, hidden, 1));
  conv->push_back(ConvBnReLU6(hidden, hidden, 3, stride, hidden));
  conv->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out, 1).bias(false)));
  conv->push_back(torch::nn::BatchNorm2d(out));
  return conv;
}

}  // namespace

InvertedResidualImpl::InvertedResidualImpl(int64_t in_channels, int64_t out_channels, int64_t stride,
                                           int64_t expand_ratio)
    : in_channels_(in_channels), out_channels_(out_channels), hidden_(in_channels * expand_ratio), stride_(stride) {
  conv = register_module("conv", make_conv(in_channels_, out_channels_, hidden_, stride_));
}

torch::Tensor InvertedResidualImpl::forward(torch::Tensor x) {
  const bool residual = stride_ == 1 && in_channels_ == out_channels_;
  return residual ? x + conv->forward(x) : conv->forward(x);
}

int64_t InvertedResidualImpl::multiply_adds(int64_t height, int64_t width) const {
  int64_t total = hidden_ != in_channels_ ? height * width * in_channels_ * hidden_ : 0;
  const int64_t out_h = conv_output_size(height, 3, stride_, 1);
  const int64_t out_w = conv_output_size(width, 3, stride_, 1);
  total += out_h * out_w * hidden_ * 9;  // depthwise: one 3x3 filter per channel
  total += out_h * out_w * hidden_ * out_channels_;
  return total;
}

}  // namespace tl
