#include "weights/checkpoint.h"

#include "models/model_checks.h"
#include "models/model_zoo.h"
#include "models/named_tensors.h"
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
    j = nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": the transferlab metadata is not valid JSON (" + e.what() + ")");
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

Checkpoint load_checkpoint(const std::string& path) {
  SafetensorsContents contents = read_safetensors(path);
  Checkpoint checkpoint;
  checkpoint.metadata = metadata_from(path, contents.metadata);
  checkpoint.tensors = std::move(contents.tensors);
  return checkpoint;
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
  TransferModel model =
      make_model(metadata.architecture, static_cast<int64_t>(metadata.class_names.size()), metadata.input);
  load_into(*model, checkpoint.tensors);
  return model;
}

}  // namespace tl
