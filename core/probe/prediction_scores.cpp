#include "probe/prediction_scores.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tl {

PredictionScores score_predictions(const torch::Tensor& predicted, const torch::Tensor& labels, int64_t num_classes) {
  if (predicted.numel() != labels.numel()) {
    throw std::invalid_argument("score_predictions: " + std::to_string(predicted.numel()) + " predictions for " +
                                std::to_string(labels.numel()) + " labels");
  }
  PredictionScores scores;
  if (labels.numel() == 0) {
    scores.per_class_accuracy.assign(num_classes, 0.0);
    return scores;
  }
  const auto correct = predicted.to(torch::kLong).eq(labels.to(torch::kLong));
  scores.accuracy = correct.to(torch::kDouble).mean().item<double>();
  for (int64_t c = 0; c < num_classes; ++c) {
    const auto of_class = labels.eq(c);
    const int64_t count = of_class.sum().item<int64_t>();
    scores.per_class_accuracy.push_back(
        count == 0 ? 0.0 : correct.logical_and(of_class).sum().item<double>() / static_cast<double>(count));
  }
  return scores;
}

void check_labelled_features(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes) {
  if (features.dim() != 2 || labels.dim() != 1 || features.size(0) != labels.size(0) || labels.size(0) == 0) {
    throw std::invalid_argument("classifier: expected features [N, D] and labels [N] with N >= 1");
  }
  if (num_classes < 2) throw std::invalid_argument("classifier: needs at least 2 classes");
  if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= num_classes) {
    throw std::invalid_argument("classifier: labels must lie in [0, " + std::to_string(num_classes) + ")");
  }
}

}  // namespace tl
