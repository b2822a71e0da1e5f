#include "experiment/similarity_meter.h"

#include "data/idx_reader.h"
#include "experiment/experiment.h"
#include "weights/pretrained_catalog.h"

#include <torch/torch.h>

#include <algorithm>

namespace tl {
namespace {

// Every image of the task the meter may draw from; the test set stays unseen.
torch::Tensor task_images(const TaskData& task) { return torch::cat({task.train.images, task.validation.images}); }

DataConfig classes_from_names(const std::vector<std::string>& names, const std::string& checkpoint) {
  const auto& known = fashion_mnist_class_names();
  DataConfig d;
  for (const auto& name : names) {
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end()) {
      throw std::runtime_error(checkpoint + ": cannot tell the source task: no pretraining recipe and class '" +
                               name + "' is not a Fashion-MNIST class");
    }
    d.classes.push_back(static_cast<int64_t>(it - known.begin()));
  }
  return d;
}

}  // namespace

DataConfig source_task_of(const CheckpointMetadata& metadata, const std::string& checkpoint) {
  const auto& extra = metadata.extra;
  if (extra.is_object() && extra.contains("recipe") && extra["recipe"].is_object() &&
      extra["recipe"].contains("source")) {
    try {
      return config_from_json({{"source", extra["recipe"]["source"]}}).source;
    } catch (const ConfigError& e) {
      throw std::runtime_error(checkpoint + ": pretraining recipe: " + e.what());
    }
  }
  return classes_from_names(metadata.class_names, checkpoint);
}

SimilarityReport measure_similarity(const ExperimentConfig& config, SimilarityOptions options) {
  if (config.model.pretrained.empty()) {
    throw ConfigError("model.pretrained: expected a pretrained model; the similarity meter compares its source task "
                      "with the target");
  }
  const std::string path = resolve_checkpoint(config.model.pretrained);
  const Checkpoint ckpt = load_checkpoint(path);
  TransferModel model = model_from_checkpoint(ckpt);
  std::optional<Normalization> norm;
  if (!ckpt.metadata.normalization_mean.empty()) {
    norm = Normalization{ckpt.metadata.normalization_mean, ckpt.metadata.normalization_std};
  }
  const TaskData source = build_task_data(source_task_of(ckpt.metadata, path), norm, "source");
  const TaskData target = build_task_data(config.target, norm, "target");
  return measure_domain_similarity(*model, task_images(source), task_images(target), options);
}

}  // namespace tl
