#pragma once

#include "models/transfer_model.h"
#include "train/trainer.h"

#include <atomic>
#include <cstdint>
#include <string>

namespace tl {

/// What a cost probe runs: a few full fine-tuning steps of a freshly built
/// model on random input of its own shape.
struct CostProbeOptions {
  int64_t batch_size = 64;
  int64_t num_classes = 10;
  /// Timed steps, after one untimed warm-up step (first-call allocations and
  /// oneDNN's kernel choice would otherwise count).
  int64_t steps = 3;
  OptimizerKind optimizer = OptimizerKind::Sgd;  ///< SGD keeps one momentum tensor per parameter, Adam two
  /// LibTorch intra-op threads of the probing thread (0 = the training default).
  int threads = 0;
  /// Checked between steps; a set flag ends the probe with what was measured so far.
  const std::atomic<bool>* cancel = nullptr;
};

/// The measured cost of training one batch.
struct TrainingCost {
  std::string architecture;
  int64_t batch_size = 0;
  int64_t parameters = 0;
  int64_t parameter_bytes = 0;
  /// Highest tensor memory held at once during a step (parameters, gradients,
  /// optimizer state, the batch, activations kept for the backward pass and
  /// temporaries), counted from LibTorch's CPU allocations in the probing
  /// thread. Not counted: oneDNN/OpenBLAS scratch buffers and the dataset.
  int64_t peak_bytes = 0;
  double seconds_per_batch = 0.0;  ///< mean wall time of a forward + backward + optimizer step
  int64_t steps = 0;               ///< timed steps behind seconds_per_batch

  /// seconds_per_batch × the number of batches of an epoch over `images`.
  double seconds_per_epoch(int64_t images) const;
};

/// Builds `architecture` at `input` and measures a training step (see
/// CostProbeOptions). Runs in the calling thread and blocks it for a few
/// steps' time. Throws std::invalid_argument for an unknown architecture or a
/// batch size < 1, std::runtime_error when cancelled before the first timed step.
TrainingCost probe_training_cost(const std::string& architecture, const InputShape& input,
                                 const CostProbeOptions& options = {});

}  // namespace tl
