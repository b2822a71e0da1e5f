#include "models/bottleneck.h"

#include "models/basic_block.h"
#include "models/model_checks.h"

namespace tl {

namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

}  // namespace

BottleneckImpl::BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride)
    : conv1(register_module("conv1", conv(inplanes, planes, 1))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(planes))),
      conv2(register_module("conv2", conv(planes, planes, 3, stride))),
      bn2(register_module("bn2", torch::nn::BatchNorm2d(planes))),
      conv3(register_module("conv3", conv(planes, planes * kExpansion, 1))),
      bn3(register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion))),
      downsample(make_downsample(inplanes, planes * kExpansion, stride)),
      inplanes_(inplanes),
      planes_(planes),
      stride_(stride) {
  if (!downsample.is_empty()) register_module("downsample", downsample);
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  torch::Tensor identity = downsample.is_empty() ? x : downsample->forward(x);
  torch::Tensor out = torch::relu(bn1->forward(conv1->forward(x)));
  out = torch::relu(bn2->forward(conv2->forward(out)));
  out = bn3->forward(conv3->forward(out));
  return torch::relu(out + identity);
}

int64_t BottleneckImpl::multiply_adds(int64_t height, int64_t width) const {
  const int64_t outplanes = planes_ * kExpansion;
  const int64_t in_pixels = height * width;
  const int64_t out_pixels = conv_output_size(height, 3, stride_, 1) * conv_output_size(width, 3, stride_, 1);
  int64_t total = in_pixels * planes_ * inplanes_           // conv1 1x1
                  + out_pixels * planes_ * planes_ * 9      // conv2 3x3, stride
                  + out_pixels * outplanes * planes_;       // conv3 1x1
  if (!downsample.is_empty()) total += out_pixels * outplanes * inplanes_;
  return total;
}

}  // namespace tl
