#include "probe/feature_scaler.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tl {

FeatureScaler::FeatureScaler(const torch::Tensor& features) {
  if (features.dim() != 2 || features.size(0) < 1) {
    throw std::invalid_argument("FeatureScaler: expected features [N, D] with N >= 1");
  }
  const auto x = features.to(torch::kFloat);
  mean_ = x.mean(0);
  const auto std = x.std(0, /*unbiased=*/false);
  scale_ = torch::where(std > 1e-6, std, torch::ones_like(std));
}

torch::Tensor FeatureScaler::transform(const torch::Tensor& features) const {
  if (!mean_.defined()) throw std::logic_error("FeatureScaler: not fitted");
  if (features.dim() != 2 || features.size(1) != mean_.size(0)) {
    throw std::invalid_argument("FeatureScaler: expected " + std::to_string(mean_.size(0)) + " features per row");
  }
  return (features.to(torch::kFloat) - mean_) / scale_;
}

}  // namespace tl
