#pragma once

#include "experiment/experiment_config.h"
#include "weights/checkpoint.h"

#include <optional>
#include <string>

namespace tl {

/// The source task a pretrained checkpoint was trained on, read from the
/// recipe its metadata records (extra.recipe.source), for the mitigations
/// and analyses that need source images. Throws ConfigError prefixed with
/// `field` when there is no pretrained model or it records no valid source task.
DataConfig recorded_source_task(const std::optional<CheckpointMetadata>& pretrained, const std::string& field);

}  // namespace tl
