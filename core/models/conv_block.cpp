#include "models/conv_block.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

namespace tl {

ConvBlockImpl::ConvBlockImpl(int64_t in_channels, int64_t out_channels)
    : SequentialImpl(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1).bias(false)),
          torch::nn::BatchNorm2d(out_channels), torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)),
          torch::nn::MaxPool2d(2)) {}

}  // namespace tl
