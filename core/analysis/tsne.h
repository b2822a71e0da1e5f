#pragma once

#include <torch/types.h>

#include <atomic>
#include <cstdint>
#include <functional>

namespace tl {

/// Settings of t-SNE; the defaults are scikit-learn's (1.2+, learning rate "auto").
struct TsneOptions {
  double perplexity = 30.0;             ///< lowered to (N − 1) / 3 for small N
  int64_t iterations = 1000;
  int64_t exaggeration_iterations = 250;  ///< the first iterations, with exaggerated P and momentum 0.5
  double early_exaggeration = 12.0;
  double learning_rate = 0.0;           ///< 0 = max(N / early_exaggeration / 4, 50)
  double initial_momentum = 0.5;
  double final_momentum = 0.8;
  uint64_t seed = 1;                    ///< the random start; the same seed gives the same embedding
  /// Called every 50 iterations and at the end with (iterations done, total).
  std::function<void(int64_t, int64_t)> progress;
  /// Checked every iteration; when set, tsne throws AnalysisCancelled.
  const std::atomic<bool>* cancel = nullptr;
};

/// A 2-D t-SNE embedding.
struct Tsne {
  torch::Tensor embedding;      ///< float [N, 2], centred
  double kl_divergence = 0.0;   ///< KL(P‖Q) of the final embedding (without exaggeration)
  double perplexity = 0.0;      ///< the perplexity used
  int64_t neighbours = 0;       ///< nearest neighbours per point that carry affinity
};

/// t-SNE (van der Maaten and Hinton, 2008) of the rows of `x` [N, D] into 2-D.
///
/// Affinities: Gaussian conditionals over each point's ⌊3·perplexity⌋ + 1
/// nearest neighbours (squared Euclidean distances), each bandwidth found by
/// bisection to the perplexity, symmetrised and normalised (as scikit-learn's
/// Barnes-Hut variant and openTSNE do: farther points carry almost nothing).
/// Optimisation: exact O(N²) gradient of KL(P‖Q) with a Student-t kernel,
/// early exaggeration, momentum and per-coordinate gains (delta-bar-delta),
/// starting from N(0, 10⁻⁴) drawn with `seed`. The gradient runs rows in
/// parallel on LibTorch's intra-op threads (at::get_num_threads() of the
/// calling thread), each row in a fixed order, so the result is the same for
/// any thread count on one machine. Meant for N up to a few thousand.
/// Throws std::invalid_argument for anything but a 2-D matrix with at least
/// two rows, and AnalysisCancelled when options.cancel is set.
Tsne tsne(const torch::Tensor& x, const TsneOptions& options = {});

}  // namespace tl
