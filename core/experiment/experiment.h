#pragma once

#include "experiment/experiment_config.h"
#include "experiment/prepared_model.h"
#include "experiment/task_data.h"
#include "train/trainer.h"

#include <map>
#include <optional>
#include <string>

namespace tl {

/// A config turned into objects, ready to train or to show: the model side
/// (PreparedModel) plus the data and what the mitigations need.
struct PreparedExperiment : PreparedModel {
  ExperimentConfig config;  ///< model.architecture filled in from the checkpoint
  TaskData data;
  std::map<std::string, torch::Tensor> initial_state;  ///< weights before training, for drift
  /// mitigations.dann: the job trains on the source task's labelled images
  /// (dann_source) followed by the target's labelled shots (data.train); the
  /// rest of the target's training images (same shift) are the unlabelled set.
  std::optional<DannSetup> dann;
  Dataset dann_source;
  /// mitigations.multitask: the source task's labelled training images and
  /// the checkpoint's own head as the source head.
  std::optional<MultiTaskSetup> multitask;
};

/// Loads the pretrained model (or builds a fresh one), replaces the head for
/// the target classes, builds the data and the freeze plan (strategy + layer
/// edits). Throws with a message naming the file or field on bad input.
PreparedExperiment prepare_experiment(const ExperimentConfig& config, const DataLoadObserver& observer = {});

/// A deep copy of the model's parameters and buffers by name: the starting
/// point that drift and L2-SP measure from.
std::map<std::string, torch::Tensor> cloned_state(const TransferModelImpl& model);

/// The job a prepared experiment trains (shares the model with `prepared`).
TrainingJob make_training_job(const PreparedExperiment& prepared);

}  // namespace tl
