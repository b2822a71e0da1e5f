#pragma once

#include "experiment/run_record.h"
#include "weights/checkpoint.h"

#include <string>

namespace tl {

/// File names of an exported model inside a run directory.
inline constexpr const char* kExportedWeightsFile = "model.safetensors";
inline constexpr const char* kExportedMetadataFile = "model.json";

/// A fine-tuned model as a checkpoint that stands on its own: the trained
/// tensors plus metadata saying what the model is and where it came from.
///
/// The metadata is a CheckpointMetadata, so the file loads wherever a
/// checkpoint does (`--model FILE`, model.pretrained in a config): the
/// architecture, input shape, the target's class names (the head's), the
/// normalisation, the target task as "source_task", its training images and
/// test accuracy. `extra` adds
///   "preprocessing": Preprocessing::to_json() (input, mean, std, resize policy),
///   "freeze_plan": {"strategy", "entries": [{"path", "trainable", "lr_multiplier"}],
///                   "reinitialized": [...],
///                   "layers": [{"path", "type", "trainable", "lr_multiplier"}] (every layer with parameters)},
///   "run": {"name", "finished" (ISO 8601 UTC), "status", "epochs", "seconds",
///           "val_accuracy", "test_accuracy", "config"},
///   "pretrained": the starting checkpoint's metadata without its extra (absent from scratch),
///   "recipe": {"source": the run's target section}, so the exported model can
///             itself be the pretrained model of a DANN or multi-task run.
/// Throws std::invalid_argument for a progressive network (two columns have
/// no single architecture to rebuild) or a model without a trained head.
Checkpoint export_model(const PreparedExperiment& prepared, const TransferModelImpl& trained,
                        const RunRecord& record);

/// True when export_model can export the prepared experiment's model.
bool can_export_model(const PreparedExperiment& prepared);

/// Writes DIR/model.safetensors (tensors + metadata in the safetensors header,
/// as save_checkpoint does) and DIR/model.json (the same metadata, for people
/// and scripts that do not read safetensors headers), each via a temporary
/// file and a rename. Throws naming the path on I/O errors.
void write_model_export(const Checkpoint& exported, const std::string& dir);

}  // namespace tl
