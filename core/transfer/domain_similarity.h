#pragma once

#include "models/transfer_model.h"
#include "transfer/strategy.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// How far apart source and target features are after one block of a model.
struct DepthDistance {
  std::string block;              ///< the block whose output was measured ("block2", "layer3")
  int64_t dims = 0;               ///< feature size after global average pooling
  double mmd2 = 0.0;              ///< unbiased MMD², Gaussian kernel, median-heuristic bandwidth
  double proxy_a_distance = 0.0;  ///< 2(1 − 2ε) of a linear domain classifier, in [0, 2]
};

/// What the meter concludes from the distances.
struct SimilarityRecommendation {
  Similarity similarity = Similarity::Moderate;
  StrategyChoice strategy = default_strategy(Similarity::Moderate);
  std::string reason;  ///< one or two plain sentences for the user
};

/// The meter's full answer.
struct SimilarityReport {
  std::vector<DepthDistance> depths;  ///< one per block, from the input upwards
  int64_t source_samples = 0;
  int64_t target_samples = 0;
  SimilarityRecommendation recommendation;
};

struct SimilarityOptions {
  int64_t samples_per_domain = 500;  ///< images drawn from each domain (fewer when a domain has fewer)
  uint64_t seed = 1;                 ///< which images are drawn and how the classifier's data is split
  int classifier_steps = 300;        ///< full-batch Adam steps of the domain classifier
};

/// The median of the pairwise Euclidean distances between the rows of
/// `pooled` [N, C] (N ≥ 2): the Gaussian kernel's bandwidth σ under the median
/// heuristic. Returns 1 when every row is the same.
double median_heuristic_bandwidth(const torch::Tensor& pooled);

/// Unbiased estimate of the squared maximum mean discrepancy between the rows
/// of x [M, C] and y [N, C] (M, N ≥ 2) with k(a, b) = exp(−‖a − b‖² / (2σ²)),
/// σ = median_heuristic_bandwidth of the pooled rows. Near 0 (and possibly
/// slightly negative) for samples of one distribution; at most 2.
double mmd_squared(const torch::Tensor& x, const torch::Tensor& y);

/// Proxy A-distance between two feature samples (Ben-David et al., 2007):
/// each sample is split in halves (shuffled with `seed`); a logistic
/// regression trained with `steps` full-batch Adam steps on the standardised
/// first halves separates source from target, and its class-balanced error ε
/// on the second halves gives 2(1 − 2ε), clamped to [0, 2]. Near 0 when the
/// domains cannot be told apart, 2 when they separate perfectly. Throws
/// std::invalid_argument when a sample has fewer than 4 rows or the feature
/// sizes differ.
double proxy_a_distance(const torch::Tensor& source, const torch::Tensor& target, uint64_t seed, int steps = 300);

/// The model's activations after every block for `images` [N, C, H, W],
/// computed in eval mode without gradients; spatial maps are globally
/// average-pooled, so each entry is [N, channels]. The model's training mode
/// is restored afterwards.
std::vector<torch::Tensor> pooled_block_features(TransferModelImpl& model, const torch::Tensor& images,
                                                 int64_t batch_size = 256);

/// The similarity level the distances point to, its default strategy and the
/// reason in plain words: high when the domain classifier cannot separate the
/// domains at any depth (proxy A-distance < 0.5 everywhere), low when the
/// features of the first block already differ strongly (MMD² ≥ 0.25: the
/// target looks different at the pixel level), moderate otherwise. The
/// thresholds were calibrated on Fashion-MNIST shifts (see the .cpp). Throws
/// std::invalid_argument when `depths` is empty.
SimilarityRecommendation recommend_similarity(const std::vector<DepthDistance>& depths);

/// Measures source against target on the frozen model's features after each
/// block (at most options.samples_per_domain images of each, drawn with
/// options.seed) and recommends a similarity level. Images must already be
/// normalised the way the model expects.
SimilarityReport measure_domain_similarity(TransferModelImpl& model, const torch::Tensor& source_images,
                                           const torch::Tensor& target_images, const SimilarityOptions& options = {});

}  // namespace tl
