#pragma once

#include <torch/nn/module.h>

namespace tl {

/// Initialises every module under and including `module` as torchvision's
/// ResNet does: Conv2d weights kaiming_normal_ (fan_out, ReLU gain) with zero
/// bias, BatchNorm2d weight 1 and bias 0 with fresh running statistics, Linear
/// layers by LibTorch's default (PyTorch's) initialisation. Draws from the
/// global torch RNG.
void init_weights(torch::nn::Module& module);

}  // namespace tl
