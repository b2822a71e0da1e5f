#include "transfer/gradient_reversal.h"

#include <cmath>
#include <stdexcept>

namespace tl {

torch::Tensor GradientReversal::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                        double lambda) {
  ctx->saved_data["lambda"] = lambda;
  // A copy rather than x itself: autograd must see a new tensor to attach
  // this function's backward to it.
  return x.clone();
}

torch::autograd::tensor_list GradientReversal::backward(torch::autograd::AutogradContext* ctx,
                                                        torch::autograd::tensor_list grad_outputs) {
  const double lambda = ctx->saved_data["lambda"].toDouble();
  // One gradient per forward input; lambda is not a tensor and gets none.
  return {grad_outputs[0] * -lambda, torch::Tensor()};
}

torch::Tensor reverse_gradient(const torch::Tensor& x, double lambda) {
  if (!(lambda >= 0.0)) throw std::invalid_argument("gradient reversal: lambda must be >= 0");
  return GradientReversal::apply(x, lambda);
}

double dann_lambda(double progress) {
  const double p = std::min(1.0, std::max(0.0, progress));
  return 2.0 / (1.0 + std::exp(-10.0 * p)) - 1.0;
}

}  // namespace tl
