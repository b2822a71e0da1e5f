#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace tl {

/// DANN's domain classifier: a small MLP on flat features [N, feature_dim]
/// giving one logit per image [N] (> 0: "target domain"). Children fc1, fc2
/// (hidden layer with ReLU) and out.
class DomainClassifierImpl : public torch::nn::Module {
 public:
  /// Throws when feature_dim or hidden < 1.
  explicit DomainClassifierImpl(int64_t feature_dim, int64_t hidden = 64);

  torch::Tensor forward(torch::Tensor features);

  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
  torch::nn::Linear out;
};
TORCH_MODULE(DomainClassifier);

}  // namespace tl
