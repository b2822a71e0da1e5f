#pragma once

#include "train/training_events.h"
#include "transfer/freeze_plan.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace tl {

/// The state a run needs to continue where it stopped, as one file:
/// DIR/checkpoint.safetensors, written atomically (temporary file, fsync,
/// rename), so a crash during a write leaves the previous checkpoint in place.
///
/// `tensors` holds the named tensors, `progress` (stored as JSON in the file's
/// metadata) the rest; train/run_checkpoint.h fills both from a running job
/// and restores a job from them.
struct TrainingCheckpoint {
  nlohmann::json progress = nlohmann::json::object();
  std::map<std::string, torch::Tensor> tensors;
};

/// DIR/checkpoint.safetensors.
std::string training_checkpoint_path(const std::string& run_dir);

/// Writes the checkpoint to `path` atomically. Throws naming the path when the
/// directory is missing or not writable or the disk is full; the previous
/// checkpoint is then untouched.
void save_training_checkpoint(const TrainingCheckpoint& checkpoint, const std::string& path);

/// Reads a checkpoint written by save_training_checkpoint. Throws naming the
/// path and the problem when the file is missing, damaged or of another kind.
TrainingCheckpoint load_training_checkpoint(const std::string& path);


/// FreezePlan <-> JSON: {"layers": {path: {"trainable", "lr_multiplier"}}, "reinitialize": [paths]}.
nlohmann::json freeze_plan_to_json(const FreezePlan& plan);
FreezePlan freeze_plan_from_json(const nlohmann::json& j);

/// Appends one JSON object per line to DIR/events.jsonl: {"time", "epoch",
/// "batch", "kind", "details"}. Each append opens, writes and flushes, so a
/// crash loses at most the line being written.
/// Returns false (and leaves the log as it was) when the file cannot be written.
bool append_run_event(const std::string& run_dir, const RunEvent& event);

/// DIR/events.jsonl.
std::string run_event_log_path(const std::string& run_dir);

/// Reads DIR/events.jsonl; lines that are not JSON objects (e.g. the last one
/// cut short by a crash) are skipped. Empty when there is no log.
std::vector<RunEvent> read_run_events(const std::string& run_dir);

}  // namespace tl
