#pragma once

#include "models/transfer_model.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tl {

/// What a checkpoint says about the weights it holds.
struct CheckpointMetadata {
  std::string architecture;               ///< zoo name
  InputShape input;
  std::string source_task;                ///< e.g. "Fashion-MNIST classes 0-4"
  std::vector<std::string> class_names;   ///< of the head stored with the weights
  int64_t training_images = 0;            ///< images the weights were trained on
  double source_accuracy = 0.0;           ///< test accuracy on the source task, in [0, 1]
  uint64_t seed = 0;
  std::string created;                    ///< ISO 8601 UTC date and time
  std::string license = "Weights made by transferlab-cli pretrain from Fashion-MNIST (MIT licence).";
  std::vector<double> normalization_mean;  ///< per channel, as used in training
  std::vector<double> normalization_std;
  nlohmann::json extra = nlohmann::json::object();  ///< anything else (recipe, run)

  nlohmann::json to_json() const;
  static CheckpointMetadata from_json(const nlohmann::json& j);
};

/// Named tensors plus metadata, as stored on disk.
struct Checkpoint {
  CheckpointMetadata metadata;
  std::map<std::string, torch::Tensor> tensors;  ///< parameters and buffers by dotted name
  std::string path;  ///< the file it was read from, for messages; empty when built in memory
};

/// The state of a module as named tensors (parameters and buffers), detached
/// and contiguous on the CPU.
std::map<std::string, torch::Tensor> state_dict(const torch::nn::Module& module);

/// Writes `checkpoint` in the safetensors layout (8-byte little-endian header
/// length, JSON header, raw little-endian data) with the metadata as JSON under
/// "__metadata__"."transferlab", so Python's safetensors reads it too. Writes a
/// temporary file beside `path` and renames it, so a failure never leaves a
/// half-written file in place of a good one. Throws naming the path on I/O errors.
void save_checkpoint(const Checkpoint& checkpoint, const std::string& path);

/// Reads a checkpoint written by save_checkpoint. Throws naming the path and
/// the problem (missing, truncated, bad header, offsets out of range,
/// unsupported dtype) on bad input.
Checkpoint load_checkpoint(const std::string& path);

/// load_checkpoint on a file's bytes already in memory; `path` only names the
/// file in error messages.
Checkpoint parse_checkpoint(const char* bytes, size_t size, const std::string& path);

/// Copies tensors into the module's parameters and buffers by name. Every
/// module tensor must be present with the same shape, except those under
/// `skip_prefix` (e.g. the head when the target has other classes). Throws
/// naming the first mismatching tensor ("layer1.0.conv1.weight: checkpoint has
/// [16, 16, 3, 3], model expects [32, 16, 3, 3]") or the first missing one.
void load_into(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
               const std::string& skip_prefix = "");

/// Builds the checkpoint's architecture with its stored head and loads the
/// weights. Refuses a checkpoint whose floating-point tensors hold NaN or
/// infinite values (saved by a diverged run): such a model would only ever
/// predict NaN, so the error names the file and the first such tensor.
TransferModel model_from_checkpoint(const Checkpoint& checkpoint);

}  // namespace tl
