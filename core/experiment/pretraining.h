#pragma once

#include "experiment/experiment_config.h"
#include "train/training_events.h"
#include "weights/checkpoint.h"

namespace tl {

/// Trains from scratch on the source task and returns a checkpoint whose
/// metadata describes it (architecture, task, classes, images, accuracy on the
/// source test set, seed, date, normalisation).
Checkpoint pretrain(const ExperimentConfig& config, TrainingListener* listener = nullptr);

}  // namespace tl
