#pragma once

// The typed entry point for callers that already hold a config. Kept out of
// training_controller.h because experiment_config.h pulls in LibTorch, which
// must stay out of headers that moc and every widget see.

#include "experiment/experiment_config.h"
#include "training/training_controller.h"

#include <QByteArray>

namespace tl {

/// Starts `config` on `controller`; false while the controller is busy.
inline bool start_training(TrainingController& controller, const ExperimentConfig& config) {
  return controller.startFromConfigJson(QByteArray::fromStdString(config_to_json(config).dump()));
}

}  // namespace tl
