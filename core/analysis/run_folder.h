#pragma once

#include "data/dataset.h"
#include "data/task_builder.h"
#include "experiment/experiment_config.h"
#include "models/transfer_model.h"
#include "weights/checkpoint.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tl {

/// A trained model a run left in its folder (model.safetensors + model.json).
struct SavedModel {
  std::string path;  ///< the .safetensors file
  TransferModel model{nullptr};
  CheckpointMetadata metadata;
};

/// What a finished run left on disk, as an analysis reads it.
///
/// Layout: DIR/config.json (the config the run started with), DIR/run.json
/// (its record; "config" inside too, and for a comparison "per_seed" and
/// "verdict"), DIR/model.safetensors (the trained model), and for a
/// comparison DIR/twin/run.json and, when the run exported it,
/// DIR/twin/model.safetensors.
struct RunFolder {
  std::string dir;
  ExperimentConfig config;
  std::string config_file;  ///< "config.json", or "run.json" for a run of an older version
  nlohmann::json record;    ///< run.json; null when the folder has none
  SavedModel model;
  std::string twin_name;    ///< "scratch twin", "source-only twin"; "" when the run has no twin
  nlohmann::json twin_record;            ///< DIR/twin/run.json; null without a twin
  std::optional<SavedModel> twin_model;  ///< absent when the twin's model was not exported
  /// Plain sentences on what is missing and what that means for the analysis.
  std::vector<std::string> notes;
};

/// Reads a run folder. Throws std::runtime_error naming the path when DIR is
/// not a directory, holds neither config.json nor run.json, has no config in
/// either, or has no model.safetensors (every finished run leaves one), and
/// as load_checkpoint does for a damaged model file. A missing config.json
/// (older versions wrote only run.json), a run without a twin and a twin
/// without its model are notes, not errors.
RunFolder load_run_folder(const std::string& dir);

/// The run's target test images, rebuilt from its config exactly as the run
/// built them (same seed, same images, same order), as raw pixels in [0, 1]
/// (normalise them per model with model_normalization).
Dataset run_test_pixels(const RunFolder& folder);

/// The normalisation a saved model expects (its recorded mean and std).
/// Throws naming the file when the model records none.
Normalization model_normalization(const SavedModel& model);

/// The pixels normalised for `model`.
Dataset normalised_for(const Dataset& pixels, const SavedModel& model);

}  // namespace tl
