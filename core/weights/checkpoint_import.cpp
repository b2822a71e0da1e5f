#include "weights/checkpoint_import.h"

#include "models/model_zoo.h"
#include "weights/safetensors.h"

#include <filesystem>

namespace tl {

ImportedCheckpoint import_checkpoint(const std::string& path, const std::string& architecture,
                                     const std::string& created, ImportOptions options) {
  const InputShape imagenet{3, 224, 224};
  const bool safetensors = std::filesystem::path(path).extension() == ".safetensors";
  const auto tensors = safetensors ? read_safetensors(path).tensors : read_torchscript_tensors(path);
  // Keep the file's head when it has one (e.g. ImageNet's 1000 classes).
  const std::string head = make_model(architecture, 1, imagenet)->head_path() + ".weight";
  const auto head_weight = tensors.find(head);
  const bool has_head = head_weight != tensors.end() && head_weight->second.dim() == 2;
  const int64_t classes = has_head ? head_weight->second.size(0) : 1000;
  TransferModel model = make_model(architecture, classes, imagenet);

  ImportedCheckpoint imported;
  imported.report = import_named_tensors(tensors, *model, path, options);
  CheckpointMetadata& m = imported.checkpoint.metadata;
  m.architecture = architecture;
  m.input = imagenet;
  m.source_task = "imported from " + std::filesystem::path(path).filename().string();
  for (int64_t c = 0; c < classes; ++c) m.class_names.push_back("class " + std::to_string(c));
  m.created = created;
  m.license = "Imported from " + path + "; the weights keep the licence of their source.";
  m.normalization_mean = {0.485, 0.456, 0.406};  // torchvision's ImageNet preprocessing
  m.normalization_std = {0.229, 0.224, 0.225};
  imported.checkpoint.tensors = state_dict(*model);
  return imported;
}

}  // namespace tl
