#pragma once

#include "probe/feature_scaler.h"

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace tl {

struct LogisticRegressionOptions {
  double l2 = 1e-3;            ///< penalty l2/2·‖W‖² on the weights (not the biases)
  int64_t max_iterations = 200;
  double tolerance = 1e-7;     ///< stop when the loss changes less than this (relative) in an iteration
};

/// Multinomial logistic regression on standardised features, fitted full-batch
/// with L-BFGS (strong Wolfe line search) from zero weights: the same data
/// gives the same model, with no learning rate or batch order to tune. The
/// objective is mean cross-entropy + l2/2·‖W‖², convex, so L-BFGS reaches its
/// minimum in a few dozen iterations on probe-sized problems.
class LogisticRegression {
 public:
  /// `features` [N, D], `labels` [N] in [0, num_classes). Throws
  /// std::invalid_argument on mismatched shapes or labels out of range.
  static LogisticRegression fit(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes,
                                const LogisticRegressionOptions& options = {});

  /// Class scores [N, num_classes] (before the softmax).
  torch::Tensor logits(const torch::Tensor& features) const;
  /// Predicted classes [N].
  torch::Tensor predict(const torch::Tensor& features) const;

  /// The objective before the first iteration and after each one; the last
  /// entry is the fitted model's.
  const std::vector<double>& loss_history() const { return loss_history_; }
  int64_t iterations() const { return static_cast<int64_t>(loss_history_.size()) - 1; }

 private:
  FeatureScaler scaler_;
  torch::Tensor weight_;  ///< [D, num_classes]
  torch::Tensor bias_;    ///< [num_classes]
  std::vector<double> loss_history_;
};

}  // namespace tl
