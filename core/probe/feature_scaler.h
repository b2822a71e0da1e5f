#pragma once

#include <torch/types.h>

namespace tl {

/// Standardises features to zero mean and unit variance per column, with the
/// statistics of the training set, so that no feature dominates a distance or
/// a penalty by its units alone.
class FeatureScaler {
 public:
  FeatureScaler() = default;
  /// `features` [N, D]; columns that are constant on the training set (a
  /// ReLU channel that never fires) keep scale 1 instead of dividing by zero.
  explicit FeatureScaler(const torch::Tensor& features);

  torch::Tensor transform(const torch::Tensor& features) const;

  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& scale() const { return scale_; }

 private:
  torch::Tensor mean_;
  torch::Tensor scale_;
};

}  // namespace tl
