#pragma once

#include "transfer/freeze_plan.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace tl {

/// Strengths of the L2-SP penalty; both >= 0.
struct L2SpOptions {
  double alpha = 0.01;  ///< pull of transferred weights towards their starting point
  double beta = 0.01;   ///< plain weight decay of new layers
};

/// The L2-SP regulariser (Li, Grandvalet and Davoine, 2018):
///   alpha/2 · Σ ||w - w0||²  over transferred trainable parameters
/// + beta/2  · Σ ||w||²       over new trainable parameters,
/// where w0 is each transferred parameter when the penalty is built (so build
/// it after any re-initialisation, right before the first step). "New" means
/// under the head or under a layer the plan re-initialises; every other
/// trainable parameter was transferred. Frozen parameters do not move and are
/// left out. All parameters of a layer count (weights, biases, BatchNorm
/// scales), as in the paper's reference code.
class L2SpPenalty {
 public:
  /// Throws when alpha or beta is negative.
  L2SpPenalty(const torch::nn::Module& model, const FreezePlan& plan, const std::string& head_path,
              L2SpOptions options);

  /// The penalty as a differentiable scalar; add it to the loss.
  torch::Tensor operator()() const;

  int64_t transferred_count() const { return static_cast<int64_t>(transferred_.size()); }
  int64_t new_count() const { return static_cast<int64_t>(fresh_.size()); }

 private:
  L2SpOptions options_;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> transferred_;  ///< {parameter, w0}
  std::vector<torch::Tensor> fresh_;
};

}  // namespace tl
