#include "experiment/source_task.h"

namespace tl {

DataConfig recorded_source_task(const std::optional<CheckpointMetadata>& pretrained, const std::string& field) {
  if (!pretrained) {
    throw ConfigError(field + ": needs a pretrained model (model.pretrained) to take the source task from");
  }
  const nlohmann::json& extra = pretrained->extra;
  if (!extra.is_object() || !extra.contains("recipe") || !extra["recipe"].is_object() ||
      !extra["recipe"].contains("source")) {
    throw ConfigError(field + ": the pretrained checkpoint does not record its source task (metadata recipe.source)");
  }
  try {
    return config_from_json(nlohmann::json{{"source", extra.at("recipe").at("source")}}).source;
  } catch (const ConfigError& e) {
    throw ConfigError(field + ": the checkpoint's recorded source task is invalid (" + e.what() + ")");
  }
}

}  // namespace tl
