#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace tl {

/// How well predicted labels match the true ones.
struct PredictionScores {
  double accuracy = 0.0;
  std::vector<double> per_class_accuracy;  ///< recall of each class; 0 for a class absent from `labels`
};

/// `predicted` and `labels` are [N] class indices in [0, num_classes).
PredictionScores score_predictions(const torch::Tensor& predicted, const torch::Tensor& labels, int64_t num_classes);

/// Throws std::invalid_argument unless `features` is [N, D], `labels` [N]
/// with N >= 1 and every label in [0, num_classes), num_classes >= 2.
void check_labelled_features(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes);

}  // namespace tl
