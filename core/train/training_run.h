#pragma once

#include "data/dataset.h"
#include "models/transfer_model.h"
#include "train/batch_cycler.h"
#include "train/optimizer_state.h"
#include "transfer/domain_classifier.h"
#include "transfer/freeze_plan.h"
#include "transfer/l2sp.h"

#include <ATen/core/Generator.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// The mitigations' state during one run; each member is empty when that
/// mitigation is off.
struct RunMitigations {
  std::optional<L2SpPenalty> l2sp;
  DomainClassifier domain{nullptr};
  std::optional<BatchCycler> unlabelled;
  torch::Tensor labelled_domains;  ///< float [train size]
  double domain_weight = 1.0;
  bool adversarial = true;
  torch::nn::Linear source_head{nullptr};
  std::optional<BatchCycler> source;
  double source_weight = 0.0;

  /// The domain classifier's and the source head's parameters: new layers,
  /// trained at the base learning rate.
  std::vector<torch::Tensor> extra_parameters() const;
  /// Train mode for the domain classifier and the source head.
  void train();
};

/// What the Trainer's thread keeps between batches: what a checkpoint holds
/// (train/run_checkpoint.h) and what a change of the freeze plan rebuilds.
struct TrainingRun {
  TransferModelImpl& model;
  FreezePlan plan;
  double learning_rate = 0.0;
  RunMitigations mitigations;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  /// Each parameter group's learning-rate multiplier, in the optimizer's group order.
  std::vector<double> group_multipliers;
  std::vector<std::string> frozen;  ///< modules kept in eval mode
  Dataset train, validation;        ///< cached activations after first_block blocks
  int64_t first_block = -1;         ///< -1: not cached yet
  at::Generator order_generator;    ///< draws each epoch's batch order
  int64_t batches = 0;              ///< per epoch
  int64_t total_batches = 0;
  double train_seconds = 0.0;       ///< of the finished epochs, pauses excluded
  std::string last_checkpoint;      ///< "after epoch 2": the one on disk; empty = none written
  // The two settings that change a run's rounding: a resumed run takes them
  // from its checkpoint, so it ends exactly as the uninterrupted run would.
  int threads = 1;                  ///< LibTorch intra-op threads of the training thread
  bool channels_last = true;        ///< convolution weights NHWC (weight_memory_format.h)

  explicit TrainingRun(TransferModelImpl& m) : model(m) {}

  /// Every trained parameter under a stable name ("model/...", "domain/...",
  /// "source_head/..."), for the optimizer's state.
  NamedParameters named_parameters() const;

  /// Sets channels_last and stores the model's convolution weights in that layout.
  void use_channels_last(bool on);
};

/// The epoch under way: its batch order and what its batches added up so far.
struct EpochProgress {
  int epoch = 1;
  torch::Tensor order;
  int64_t next_batch = 0;  ///< 0-based index of the batch to run next
  double loss_sum = 0.0;
  int64_t correct = 0, seen = 0, domain_correct = 0, domain_seen = 0;
  double lambda = -1.0;
  double seconds = 0.0;  ///< spent on it so far, pauses excluded
};

}  // namespace tl
