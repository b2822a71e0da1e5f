#include "models/weight_init.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace tl {

namespace {

void init_one(torch::nn::Module& m) {
  if (auto* conv = m.as<torch::nn::Conv2d>()) {
    torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    if (conv->bias.defined()) torch::nn::init::zeros_(conv->bias);
  } else if (auto* bn = m.as<torch::nn::BatchNorm2d>()) {
    bn->reset_parameters();
  } else if (auto* linear = m.as<torch::nn::Linear>()) {
    linear->reset_parameters();
  }
}

void init_recursive(torch::nn::Module& m) {
  init_one(m);
  for (const auto& child : m.children()) init_recursive(*child);
}

}  // namespace

void init_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  init_recursive(module);
}

}  // namespace tl
