#include "experiment/mitigation_setup.h"

#include "experiment/source_task.h"
#include "models/progressive_network.h"
#include "weights/pretrained_catalog.h"

#include <torch/torch.h>

namespace tl {
namespace {

// The checkpoint's own classifier, to start multi-task's source head from;
// null when the head is not a single linear layer of the expected shape.
torch::nn::Linear pretrained_head(const ExperimentConfig& config, const TransferModelImpl& model,
                                  int64_t source_classes) {
  const Checkpoint ckpt = load_checkpoint(resolve_checkpoint(config.model.pretrained));
  const auto weight = ckpt.tensors.find(model.head_path() + ".weight");
  const auto bias = ckpt.tensors.find(model.head_path() + ".bias");
  if (weight == ckpt.tensors.end() || bias == ckpt.tensors.end() ||
      !weight->second.sizes().equals({source_classes, model.feature_dim()})) {
    return nullptr;
  }
  torch::nn::Linear head(model.feature_dim(), source_classes);
  torch::NoGradGuard no_grad;
  head->weight.copy_(weight->second);
  head->bias.copy_(bias->second);
  return head;
}

// With labelled target shots, the rest of the target's training images are
// the unlabelled set and the task head also learns from the shots; with an
// unlabelled target (target.labelled false) every target training image is
// unlabelled and the task head learns from the source labels alone.
DannSetup dann_setup(const PreparedExperiment& p, const TaskData& source, const Normalization& norm) {
  const DataConfig& target = p.config.target;
  if (source.train.class_names != p.data.train.class_names) {
    throw ConfigError("mitigations.dann: the pretrained model's source task has other classes than the target; "
                      "DANN needs the same classes in both domains");
  }
  DannSetup dann;
  dann.domain_weight = p.config.mitigations.dann_domain_weight;
  dann.adversarial = p.config.mitigations.dann_adversarial;
  if (!target.labelled) {
    dann.unlabelled = p.data.train;
    dann.labelled_domains = torch::zeros({source.train.size()});
    return dann;
  }
  dann.unlabelled = unlabelled_target_images(target, norm);
  dann.labelled_domains = torch::cat({torch::zeros({source.train.size()}), torch::ones({p.data.train.size()})});
  return dann;
}

}  // namespace

void check_target_labels(const ExperimentConfig& config) {
  if (config.target.labelled) return;
  if (config.target.shots_per_class > 0) {
    throw ConfigError("target.shots_per_class", "target.labelled is false, so there are no labelled shots to draw; "
                      "remove shots_per_class or set labelled to true");
  }
  if (!config.mitigations.dann) {
    throw ConfigError("target.labelled", "false leaves the target task without training labels; only "
                      "domain-adversarial adaptation (mitigations.dann) trains without them, from the source labels");
  }
}

void check_mitigations(const ExperimentConfig& config) {
  const MitigationsConfig& m = config.mitigations;
  if (m.dann && m.multitask) {
    throw ConfigError("mitigations", "dann and multitask both train on the source task's labels; enable one of them");
  }
  if (!m.dann) return;
  const DataConfig& target = config.target;
  if (target.dataset == kImageFolderDataset) {
    throw ConfigError("mitigations.dann", "draws its unlabelled target images from Fashion-MNIST; it does not take "
                      "an image-folder target");
  }
  if (target.labelled && target.shots_per_class == 0) {
    throw ConfigError("mitigations.dann", "needs unlabelled target images; set target.shots_per_class to the "
                      "labelled images per class (the rest become the unlabelled set), or target.labelled to false");
  }
}

void prepare_mitigations(PreparedExperiment& p) {
  check_mitigations(p.config);
  const MitigationsConfig& m = p.config.mitigations;
  if (!m.dann && !m.multitask) return;
  const std::string field = m.dann ? "mitigations.dann" : "mitigations.multitask";
  DataConfig source_config = recorded_source_task(p.pretrained, field);
  if (m.source_per_class > 0) source_config.shots_per_class = m.source_per_class;
  const TaskData source = build_task_data(source_config, p.data.normalization, "source");
  if (m.dann) {
    p.dann = dann_setup(p, source, p.data.normalization);
    p.dann_source = source.train;
  } else {
    MultiTaskSetup multitask;
    multitask.source = source.train;
    multitask.source_weight = m.multitask_source_weight;
    const auto* progressive = dynamic_cast<const ProgressiveNetworkImpl*>(p.model.get());
    const TransferModelImpl& pretrained = progressive ? *progressive->source : *p.model;
    multitask.source_head = pretrained_head(p.config, pretrained, source.train.num_classes());
    p.multitask = multitask;
  }
}

}  // namespace tl
