#pragma once

#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

namespace tl {

/// The gradient reversal layer of domain-adversarial training (Ganin and
/// Lempitsky, 2015): the identity in the forward pass, multiplies the incoming
/// gradient by -lambda in the backward pass. Placed between the feature
/// extractor and the domain classifier, it makes the extractor learn features
/// the domain classifier cannot separate while the classifier itself still
/// learns to separate them.
class GradientReversal : public torch::autograd::Function<GradientReversal> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double lambda);
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs);
};

/// x unchanged, with gradients reversed and scaled by lambda (>= 0) on the way back.
torch::Tensor reverse_gradient(const torch::Tensor& x, double lambda);

/// DANN's schedule of lambda over training progress p in [0, 1]:
/// 2 / (1 + exp(-10 p)) - 1, rising from 0 to ~1 so that the domain
/// classifier's noisy early signal does not disturb the features.
double dann_lambda(double progress);

}  // namespace tl
