#include "probe/knn_classifier.h"

#include "probe/prediction_scores.h"

#include <torch/torch.h>

#include <stdexcept>
#include <vector>

namespace tl {
namespace {

// Query rows per distance block: bounds memory to rows × N distances.
constexpr int64_t kQueryChunk = 128;

}  // namespace

KnnClassifier::KnnClassifier(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes,
                             int64_t k)
    : scaler_((check_labelled_features(features, labels, num_classes), features)),
      labels_(labels.to(torch::kLong).contiguous()),
      num_classes_(num_classes),
      k_(k) {
  if (k < 1 || k > features.size(0)) {
    throw std::invalid_argument("k-nearest neighbours: k must lie in 1.." + std::to_string(features.size(0)) +
                                " (the training images), got " + std::to_string(k));
  }
  // Single precision: a probe of every training image (27,000 × 2,048 values)
  // already takes 220 MB so.
  train_ = scaler_.transform(features).contiguous();
  train_sq_norms_ = train_.pow(2).sum(1);
}

torch::Tensor KnnClassifier::neighbours(const torch::Tensor& features) const {
  torch::NoGradGuard no_grad;
  const auto queries = scaler_.transform(features);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < queries.size(0); start += kQueryChunk) {
    const auto q = queries.narrow(0, start, std::min(kQueryChunk, queries.size(0) - start));
    // ‖q − t‖² = ‖q‖² + ‖t‖² − 2 q·t; the clamp removes tiny negative rounding.
    const auto distances =
        (q.pow(2).sum(1, /*keepdim=*/true) + train_sq_norms_.unsqueeze(0) - 2 * q.matmul(train_.t())).clamp_min(0);
    const auto order = std::get<1>(distances.sort(/*stable=*/true, /*dim=*/1, /*descending=*/false));
    parts.push_back(order.narrow(1, 0, k_));
  }
  if (parts.empty()) return torch::empty({0, k_}, torch::kLong);
  return torch::cat(parts);
}

torch::Tensor KnnClassifier::vote(const torch::Tensor& neighbour_indices) const {
  const auto neighbour_labels = labels_.index_select(0, neighbour_indices.flatten()).view(neighbour_indices.sizes());
  const auto rows = neighbour_labels.accessor<int64_t, 2>();
  auto predicted = torch::empty({neighbour_labels.size(0)}, torch::kLong);
  auto out = predicted.accessor<int64_t, 1>();
  std::vector<int64_t> votes(num_classes_);
  for (int64_t r = 0; r < rows.size(0); ++r) {
    std::fill(votes.begin(), votes.end(), 0);
    int64_t most = 0;
    for (int64_t j = 0; j < k_; ++j) most = std::max(most, ++votes[rows[r][j]]);
    // Nearest first: the first neighbour whose class has the most votes wins.
    for (int64_t j = 0; j < k_; ++j) {
      if (votes[rows[r][j]] == most) {
        out[r] = rows[r][j];
        break;
      }
    }
  }
  return predicted;
}

torch::Tensor KnnClassifier::predict(const torch::Tensor& features) const { return vote(neighbours(features)); }

}  // namespace tl
