#pragma once

#include "data/task_builder.h"
#include "experiment/experiment_config.h"
#include "models/transfer_model.h"
#include "transfer/freeze_plan.h"
#include "weights/checkpoint.h"

#include <optional>
#include <string>

namespace tl {

/// The model side of a config: what the layer tree shows before any data is
/// loaded.
struct PreparedModel {
  TransferModel model{nullptr};                  ///< head already fits the target classes
  std::optional<CheckpointMetadata> pretrained;  ///< absent when training from scratch
  FreezePlan plan;                               ///< strategy + layer edits, applied (requires_grad set)
  std::string architecture;

  /// The pretrained model's input normalisation, which the target data must
  /// share; empty for a model from scratch (the data then uses its own).
  std::optional<Normalization> pretrained_normalization() const;
};

/// Loads the pretrained model (or builds a fresh one), replaces the head for
/// the target's classes and builds the freeze plan. Throws ConfigError or
/// std::runtime_error naming the file or field on bad input.
PreparedModel prepare_model(const ExperimentConfig& config);

}  // namespace tl
