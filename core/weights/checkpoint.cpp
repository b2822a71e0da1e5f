#include "weights/checkpoint.h"

#include "models/model_checks.h"
#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "util/bounded_json.h"
#include "weights/safetensors.h"

#include <stdexcept>

namespace tl {

namespace {

const char* const kMetadataEntry = "transferlab";

std::string shape_text(torch::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

CheckpointMetadata metadata_from(const std::string& path, const std::map<std::string, std::string>& entries) {
  const auto it = entries.find(kMetadataEntry);
  if (it == entries.end()) {
    throw std::runtime_error(path + ": not a Transfer Lab checkpoint (no \"__metadata__\".\"transferlab\" entry)");
  }
  nlohmann::json j;
  try {
    j = parse_bounded_json(it->second);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": the transferlab metadata is not valid JSON (" + e.what() + ")");
  } catch (const JsonRejected& e) {
    throw std::runtime_error(path + ": the transferlab metadata " + e.what());
  }
  try {
    return CheckpointMetadata::from_json(j);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace

std::map<std::string, torch::Tensor> state_dict(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, tensor] : named_tensors(module)) {
    tensors.emplace(name, tensor.detach().to(torch::kCPU).clone(torch::MemoryFormat::Contiguous));
  }
  return tensors;
}

void save_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  SafetensorsContents contents;
  contents.tensors = checkpoint.tensors;
  contents.metadata[kMetadataEntry] = checkpoint.metadata.to_json().dump();
  write_safetensors(contents, path);
}

namespace {

Checkpoint checkpoint_from(SafetensorsContents contents, const std::string& path) {
  Checkpoint checkpoint;
  checkpoint.metadata = metadata_from(path, contents.metadata);
  checkpoint.tensors = std::move(contents.tensors);
  checkpoint.path = path;
  return checkpoint;
}

/// Throws naming the first floating-point tensor that holds NaN or infinity.
void check_finite(const Checkpoint& checkpoint) {
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (!tensor.is_floating_point() || torch::isfinite(tensor).all().item<bool>()) continue;
    const std::string file =
        checkpoint.path.empty() ? "checkpoint of " + checkpoint.metadata.architecture : checkpoint.path;
    throw std::invalid_argument(file + ": tensor '" + name +
                                "' holds NaN or infinite values, so the model cannot be used "
                                "(was it saved by a diverged run?)");
  }
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) { return checkpoint_from(read_safetensors(path), path); }

Checkpoint parse_checkpoint(const char* bytes, size_t size, const std::string& path) {
  return checkpoint_from(parse_safetensors(bytes, size, path), path);
}

void load_into(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
               const std::string& skip_prefix) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (target, source)
  for (const auto& [name, target] : named_tensors(module)) {
    if (!skip_prefix.empty() && is_under_path(name, skip_prefix)) continue;
    const auto it = tensors.find(name);
    if (it == tensors.end()) throw std::invalid_argument(name + ": missing from checkpoint");
    if (!it->second.sizes().equals(target.sizes())) {
      throw std::invalid_argument(name + ": checkpoint has " + shape_text(it->second.sizes()) + ", model expects " +
                                  shape_text(target.sizes()));
    }
    copies.emplace_back(target, it->second);
  }
  torch::NoGradGuard no_grad;  // every tensor is checked before the first one changes
  for (auto& [target, source] : copies) target.copy_(source);
}

TransferModel model_from_checkpoint(const Checkpoint& checkpoint) {
  const CheckpointMetadata& metadata = checkpoint.metadata;
  if (metadata.class_names.empty()) {
    throw std::invalid_argument("checkpoint of " + metadata.architecture +
                                " lists no class_names, so the size of its head is unknown");
  }
  check_finite(checkpoint);
  TransferModel model =
      make_model(metadata.architecture, static_cast<int64_t>(metadata.class_names.size()), metadata.input);
  load_into(*model, checkpoint.tensors);
  return model;
}

}  // namespace tl
