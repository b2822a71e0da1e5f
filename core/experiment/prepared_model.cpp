#include "experiment/prepared_model.h"

#include "experiment/task_data.h"
#include "models/model_zoo.h"
#include "models/progressive_network.h"
#include "weights/pretrained_catalog.h"

#include <torch/torch.h>

namespace tl {
namespace {

// The pretrained model as the frozen column of a progressive network beside a
// fresh column of the same architecture.
TransferModel progressive_columns(const ExperimentConfig& config, const PreparedModel& p) {
  const std::string field = "mitigations.progressive";
  if (!p.pretrained) throw ConfigError(field + ": needs a pretrained model (model.pretrained) for its frozen column");
  if (config.resolved_strategy().strategy != Strategy::FullFineTuning) {
    throw ConfigError(field + ": the new column starts from random weights and trains in full; set "
                      "transfer.strategy to full_fine_tuning");
  }
  if (config.mitigations.l2sp) {
    throw ConfigError(field + ": L2-SP has no pretrained weights to anchor here (the pretrained column is frozen); "
                      "turn off mitigations.l2sp");
  }
  auto fresh = make_model(p.architecture, target_class_count(config.target), p.model->input_shape());
  return TransferModel(std::shared_ptr<TransferModelImpl>(std::make_shared<ProgressiveNetworkImpl>(p.model, fresh)));
}

}  // namespace

std::optional<Normalization> PreparedModel::pretrained_normalization() const {
  if (!pretrained || pretrained->normalization_mean.empty()) return std::nullopt;
  return Normalization{pretrained->normalization_mean, pretrained->normalization_std};
}

PreparedModel prepare_model(const ExperimentConfig& config) {
  PreparedModel p;
  torch::manual_seed(config.training.seed);
  if (!config.model.pretrained.empty()) {
    const Checkpoint ckpt = load_checkpoint(resolve_checkpoint(config.model.pretrained));
    if (!config.model.architecture.empty() && config.model.architecture != ckpt.metadata.architecture) {
      throw ConfigError("model.architecture: '" + config.model.architecture + "' does not match the checkpoint's '" +
                        ckpt.metadata.architecture + "'");
    }
    p.model = model_from_checkpoint(ckpt);
    p.pretrained = ckpt.metadata;
  } else {
    if (config.model.architecture.empty()) {
      throw ConfigError("model: expected \"pretrained\" (a built-in name or checkpoint file) or \"architecture\"");
    }
    // Fashion-MNIST tasks build every architecture for its 1x28x28 images; an
    // image folder gets the architecture's own input (3x224x224 for torchvision's).
    const InputShape input = config.target.dataset == kImageFolderDataset
                                 ? describe_architecture(config.model.architecture).input
                                 : InputShape{};
    p.model = make_model(config.model.architecture, /*num_classes=*/2, input);
  }
  p.architecture = p.model->architecture();
  // The head is new for the target task (a progressive network's new column
  // has it; its pretrained column keeps the source head, unused).
  if (config.mitigations.progressive) {
    p.model = progressive_columns(config, p);
  } else {
    p.model->replace_head(target_class_count(config.target));
  }
  p.plan = freeze_plan_for(config, *p.model);
  p.plan.apply(*p.model);
  return p;
}


}  // namespace tl
