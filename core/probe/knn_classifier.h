#pragma once

#include "probe/feature_scaler.h"

#include <torch/types.h>

#include <cstdint>

namespace tl {

/// k-nearest neighbours by Euclidean distance on standardised features.
///
/// Deterministic: neighbours at equal distance are taken in training-set
/// order, and a tied vote goes to the tied class whose member is nearest (the
/// first of them among the sorted neighbours).
class KnnClassifier {
 public:
  /// `features` [N, D], `labels` [N] in [0, num_classes). Throws
  /// std::invalid_argument when k < 1 or k > N.
  KnnClassifier(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes, int64_t k);

  /// Predicted classes [M] for `features` [M, D].
  torch::Tensor predict(const torch::Tensor& features) const;

  /// Indices into the training set of the k nearest neighbours of each row,
  /// nearest first: [M, k].
  torch::Tensor neighbours(const torch::Tensor& features) const;

  int64_t k() const { return k_; }

 private:
  torch::Tensor vote(const torch::Tensor& neighbour_indices) const;

  FeatureScaler scaler_;
  torch::Tensor train_;           ///< standardised training features
  torch::Tensor train_sq_norms_;  ///< ‖row‖² of each training row
  torch::Tensor labels_;
  int64_t num_classes_ = 0;
  int64_t k_ = 1;
};

}  // namespace tl
