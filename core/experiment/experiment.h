#pragma once

#include "data/dataset.h"
#include "data/image_folder_data.h"
#include "data/task_builder.h"
#include "experiment/experiment_config.h"
#include "models/transfer_model.h"
#include "train/trainer.h"
#include "transfer/freeze_plan.h"
#include "weights/checkpoint.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// Train / validation / test sets of one task, normalised for the model.
struct TaskData {
  Dataset train;
  Dataset validation;
  Dataset test;
  Normalization normalization;
  std::optional<ImageFolderReport> folder_report;  ///< image-folder tasks: classes, counts, skipped files
};

/// Progress and cancellation of the slow part of building a task's data:
/// decoding an image folder (Fashion-MNIST tasks ignore it).
struct DataLoadObserver {
  DecodeProgress progress;                    ///< (files done, total), on the calling thread
  const std::atomic<bool>* cancel = nullptr;  ///< set to stop decoding (throws ImageDecodeCancelled)
};

/// Builds a task's data from the config: load, select classes, label
/// mismatch, k-shot sampling, validation split, domain shift, normalisation.
/// `norm` = the model's preprocessing (from its checkpoint); when empty the
/// statistics of the training images are used. `section` ("target" or
/// "source") prefixes the field names in error messages. Image folders are
/// brought to `input` (the model's channels and size), decoded in parallel
/// and cached on disk (see decode_images).
TaskData build_task_data(const DataConfig& data, const std::optional<Normalization>& norm = std::nullopt,
                         const std::string& section = "target", const InputShape& input = {},
                         const DataLoadObserver& observer = {});

/// sample_per_class (k images of every class, seeded) whose errors are
/// ConfigErrors naming the config `field`, e.g. "target.shots_per_class: ...".
Dataset sample_per_class_for(const Dataset& data, int64_t k, uint64_t seed, const std::string& field);

/// The model side of a config: what the layer tree shows before any data is
/// loaded.
struct PreparedModel {
  TransferModel model{nullptr};                  ///< head already fits the target classes
  std::optional<CheckpointMetadata> pretrained;  ///< absent when training from scratch
  FreezePlan plan;                               ///< strategy + layer edits, applied (requires_grad set)
  std::string architecture;
};

/// Loads the pretrained model (or builds a fresh one), replaces the head for
/// the target's classes and builds the freeze plan. Throws ConfigError or
/// std::runtime_error naming the file or field on bad input.
PreparedModel prepare_model(const ExperimentConfig& config);

/// The freeze plan `config` gives `model` (its strategy, then the
/// transfer.layers edits; a progressive network's pretrained column frozen),
/// not yet applied. Throws ConfigError naming an unknown layer.
FreezePlan freeze_plan_for(const ExperimentConfig& config, TransferModelImpl& model);

/// Number of classes of a task after class selection and merges.
int64_t target_class_count(const DataConfig& data);

/// A config turned into objects, ready to train or to show.
struct PreparedExperiment {
  ExperimentConfig config;
  TransferModel model{nullptr};                  ///< head already fits the target classes
  std::optional<CheckpointMetadata> pretrained;  ///< absent when training from scratch
  FreezePlan plan;
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

/// Per-layer record of a finished run.
struct LayerRecord {
  std::string path;
  std::string type;
  int64_t params = 0;
  bool trainable = false;
  double drift = 0.0;  ///< L2 norm of the change of the layer's own parameters
};

/// What `run` writes to run.json.
struct RunRecord {
  nlohmann::json config;
  std::vector<EpochEvent> epochs;
  RunStatus status = RunStatus::Finished;
  std::string message;
  double val_accuracy = 0.0;
  double test_accuracy = 0.0;
  std::vector<double> test_per_class_accuracy;
  std::vector<LayerRecord> layers;
  double seconds = 0.0;
  /// Extra top-level sections of run.json (the seed summary and verdict of a
  /// run with scratch twins: "transfer", "baseline", "verdict", "per_seed").
  nlohmann::json sections = nlohmann::json::object();

  nlohmann::json to_json() const;
};

/// Per-layer drift between two states of the same model.
std::vector<LayerRecord> layer_drift(const TransferModelImpl& model,
                                     const std::map<std::string, torch::Tensor>& before);

/// The job a prepared experiment trains (shares the model with `prepared`).
TrainingJob make_training_job(const PreparedExperiment& prepared);

/// Evaluates the trained model on the test set and assembles the record.
RunRecord make_run_record(const PreparedExperiment& prepared, const TrainingOutcome& outcome);

/// Writes DIR/run.json and DIR/metrics.csv, each via a temporary file and a
/// rename. Creates DIR. Throws naming the path on I/O errors.
void write_run(const RunRecord& record, const std::string& dir);

/// Trains from scratch on the source task and returns a checkpoint whose
/// metadata describes it (architecture, task, classes, images, accuracy on the
/// source test set, seed, date, normalisation).
Checkpoint pretrain(const ExperimentConfig& config, TrainingListener* listener = nullptr);

}  // namespace tl
