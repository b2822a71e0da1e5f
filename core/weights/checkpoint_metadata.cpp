// CheckpointMetadata (declared in weights/checkpoint.h): JSON conversion.
#include "weights/checkpoint.h"

#include <stdexcept>

namespace tl {

namespace {

/// j[key] as T, or `fallback` when absent; throws naming the field when it has the wrong type.
template <typename T>
T field(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  try {
    return j[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("checkpoint metadata: \"") + key + "\" has the wrong type (" +
                                j[key].type_name() + ")");
  }
}

}  // namespace

nlohmann::json CheckpointMetadata::to_json() const {
  return {{"architecture", architecture},
          {"input", {{"channels", input.channels}, {"height", input.height}, {"width", input.width}}},
          {"source_task", source_task},
          {"class_names", class_names},
          {"training_images", training_images},
          {"source_accuracy", source_accuracy},
          {"seed", seed},
          {"created", created},
          {"license", license},
          {"normalization_mean", normalization_mean},
          {"normalization_std", normalization_std},
          {"extra", extra}};
}

CheckpointMetadata CheckpointMetadata::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("checkpoint metadata: expected a JSON object");
  if (!j.contains("architecture")) throw std::invalid_argument("checkpoint metadata: missing \"architecture\"");
  CheckpointMetadata m;
  m.architecture = field<std::string>(j, "architecture", "");
  const nlohmann::json input = field<nlohmann::json>(j, "input", nlohmann::json::object());
  if (!input.is_object()) throw std::invalid_argument("checkpoint metadata: \"input\" must be an object");
  m.input.channels = field<int64_t>(input, "channels", m.input.channels);
  m.input.height = field<int64_t>(input, "height", m.input.height);
  m.input.width = field<int64_t>(input, "width", m.input.width);
  m.source_task = field<std::string>(j, "source_task", m.source_task);
  m.class_names = field<std::vector<std::string>>(j, "class_names", m.class_names);
  m.training_images = field<int64_t>(j, "training_images", m.training_images);
  m.source_accuracy = field<double>(j, "source_accuracy", m.source_accuracy);
  m.seed = field<uint64_t>(j, "seed", m.seed);
  m.created = field<std::string>(j, "created", m.created);
  m.license = field<std::string>(j, "license", m.license);
  m.normalization_mean = field<std::vector<double>>(j, "normalization_mean", m.normalization_mean);
  m.normalization_std = field<std::vector<double>>(j, "normalization_std", m.normalization_std);
  m.extra = field<nlohmann::json>(j, "extra", m.extra);
  return m;
}

}  // namespace tl
