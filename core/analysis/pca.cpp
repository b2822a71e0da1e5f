#include "analysis/pca.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tl {
namespace {

// Flips each row of `axes` [k, D] so that its largest-magnitude entry is positive.
torch::Tensor sign_fixed(const torch::Tensor& axes) {
  const auto largest = axes.abs().argmax(1, /*keepdim=*/true);  // first maximum on ties
  const auto sign = axes.gather(1, largest).sign();
  return axes * torch::where(sign == 0, torch::ones_like(sign), sign);
}

}  // namespace

Pca pca(const torch::Tensor& x, int64_t components) {
  if (x.dim() != 2 || x.size(0) < 1 || x.size(1) < 1) {
    throw std::invalid_argument("PCA: expected a matrix [N, D] with N, D >= 1");
  }
  if (components < 1) throw std::invalid_argument("PCA: components must be >= 1, got " + std::to_string(components));
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  const int64_t d = x.size(1);
  const int64_t k = std::min({components, n, d});
  const auto xd = x.to(torch::kDouble);
  const auto mean = xd.mean(0);
  const auto centred = xd - mean;
  // eigh gives ascending eigenvalues; the top k reversed are the largest.
  torch::Tensor axes;  // [k, D]
  torch::Tensor variances;
  if (d <= n) {
    const auto [values, vectors] = torch::linalg_eigh(centred.t().mm(centred));
    axes = vectors.narrow(1, d - k, k).flip({1}).t();
    variances = values.narrow(0, d - k, k).flip({0});
  } else {
    // Right singular vectors from the left ones: v = Xᵀu / σ.
    const auto [values, vectors] = torch::linalg_eigh(centred.mm(centred.t()));
    const auto u = vectors.narrow(1, n - k, k).flip({1});
    variances = values.narrow(0, n - k, k).flip({0});
    const auto sigma = variances.clamp_min(0).sqrt();
    axes = (centred.t().mm(u) / torch::where(sigma > 0, sigma, torch::ones_like(sigma))).t();
  }
  axes = sign_fixed(axes);
  Pca result;
  result.mean = mean.to(x.scalar_type());
  result.components = axes.to(x.scalar_type());
  result.projection = centred.mm(axes.t()).to(x.scalar_type());
  const double total = centred.pow(2).sum().item<double>();
  for (int64_t i = 0; i < k; ++i) {
    result.explained_variance_ratio.push_back(total > 0 ? std::max(0.0, variances[i].item<double>()) / total : 0.0);
  }
  return result;
}

}  // namespace tl
