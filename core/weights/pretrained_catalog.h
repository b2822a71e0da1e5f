#pragma once

#include "weights/checkpoint.h"

#include <string>
#include <vector>

namespace tl {

/// The directory with presets/ and models/: $TRANSFERLAB_RESOURCES if set,
/// else the source tree's resources/ when it exists, else the installed share dir.
std::string resource_dir();

/// One pretrained checkpoint shipped in resources/models.
struct PretrainedModel {
  std::string name;  ///< file name without extension, e.g. "small_cnn-fmnist0-4"
  std::string path;
  CheckpointMetadata metadata;
};

/// Every readable checkpoint in resources/models, sorted by name.
std::vector<PretrainedModel> builtin_models();

/// A built-in name or a path to a checkpoint file → the file's path. Throws
/// listing the built-in names when it is neither.
std::string resolve_checkpoint(const std::string& name_or_path);

}  // namespace tl
