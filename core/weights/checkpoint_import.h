#pragma once

#include "weights/checkpoint.h"
#include "weights/weight_import.h"

#include <string>

namespace tl {

/// A torchvision model's weights turned into a Transfer Lab checkpoint.
struct ImportedCheckpoint {
  Checkpoint checkpoint;
  ImportReport report;
};

/// Reads a TorchScript export (.pt, torch.jit.save) or a safetensors state
/// dict (.safetensors) of `architecture`, imports it by name (the rules of
/// import_named_tensors) and returns a checkpoint at ImageNet's input size
/// (3 × 224 × 224) and normalisation. The file's head is kept when it has one
/// (its number of classes, named "class 0", "class 1", ...); without one the
/// model gets a fresh 1000-class head. `created` is the ISO 8601 date for the
/// metadata. Throws starting with `path` when the file cannot be read or the
/// import is refused, and listing the architectures for an unknown one.
ImportedCheckpoint import_checkpoint(const std::string& path, const std::string& architecture,
                                     const std::string& created, ImportOptions options = {});

}  // namespace tl
