#pragma once

#include "experiment/experiment.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tl {

/// Per-layer record of a finished run.
struct LayerRecord {
  std::string path;
  std::string type;
  int64_t params = 0;
  bool trainable = false;
  double drift = 0.0;  ///< L2 norm of the change of the layer's own parameters
};

/// What a run writes to run.json.
struct RunRecord {
  nlohmann::json config;
  std::vector<EpochEvent> epochs;
  RunStatus status = RunStatus::Finished;
  std::string message;
  double val_accuracy = 0.0;
  /// On the test split; meaningful for a finished run only (see make_run_record).
  double test_accuracy = 0.0;
  std::vector<double> test_per_class_accuracy;
  std::vector<LayerRecord> layers;
  double seconds = 0.0;
  /// Extra top-level sections of run.json (the seed summary and verdict of a
  /// run with scratch twins: "transfer", "baseline", "verdict", "per_seed").
  nlohmann::json sections = nlohmann::json::object();

  /// The test accuracy as run.json writes it: null for a run that did not
  /// finish, since make_run_record did not evaluate it. Likewise per class.
  nlohmann::json test_accuracy_json() const;
  nlohmann::json test_per_class_accuracy_json() const;

  nlohmann::json to_json() const;
};

/// Per-layer drift between two states of the same model.
std::vector<LayerRecord> layer_drift(const TransferModelImpl& model,
                                     const std::map<std::string, torch::Tensor>& before);

/// Assembles the record of a trained job. The evaluation policy lives here,
/// the same for the CLI and the window:
/// - finished: evaluated on the test split (test accuracy, per class);
/// - cancelled: not evaluated. The model is half-trained, so its test
///   accuracy answers no question the run asked, and a person who pressed Stop
///   is not kept waiting for an evaluation (seconds on a large model);
/// - diverged: not evaluated (its weights hold NaN or infinite values);
/// - failed: not evaluated (there may be no model).
/// Every status keeps the epochs, the validation accuracy of the last epoch
/// and, when the model exists, each layer's drift.
RunRecord make_run_record(const PreparedExperiment& prepared, const TrainingOutcome& outcome);

/// Writes DIR/run.json and DIR/metrics.csv, each via a temporary file and a
/// rename. Creates DIR. Throws naming the path on I/O errors.
void write_run(const RunRecord& record, const std::string& dir);

}  // namespace tl
