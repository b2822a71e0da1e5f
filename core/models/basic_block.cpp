#include "models/basic_block.h"

#include "models/model_checks.h"

#include <torch/nn/functional/activation.h>

namespace tl {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

}  // namespace

torch::nn::Sequential make_downsample(int64_t inplanes, int64_t outplanes, int64_t stride) {
  if (stride == 1 && inplanes == outplanes) return torch::nn::Sequential(nullptr);
  return torch::nn::Sequential(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(inplanes, outplanes, 1).stride(stride).bias(false)),
      torch::nn::BatchNorm2d(outplanes));
}

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv3x3(inplanes, planes, stride))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(planes))),
      conv2(register_module("conv2", conv3x3(planes, planes))),
      bn2(register_module("bn2", torch::nn::BatchNorm2d(planes))),
      downsample(make_downsample(inplanes, planes * kExpansion, stride)),
      inplanes_(inplanes),
      planes_(planes),
      stride_(stride) {
  if (!downsample.is_empty()) register_module("downsample", downsample);
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor identity = downsample.is_empty() ? x : downsample->forward(x);
  torch::Tensor out = torch::relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  return torch::relu(out + identity);
}

int64_t BasicBlockImpl::multiply_adds(int64_t height, int64_t width) const {
  const int64_t out_pixels = conv_output_size(height, 3, stride_, 1) * conv_output_size(width, 3, stride_, 1);
  int64_t total = out_pixels * planes_ * (inplanes_ * 9 + planes_ * 9);
  if (!downsample.is_empty()) total += out_pixels * planes_ * kExpansion * inplanes_;
  return total;
}

}  // namespace tl
