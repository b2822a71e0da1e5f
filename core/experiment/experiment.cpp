#include "experiment/experiment.h"

#include "experiment/mitigation_setup.h"
#include "models/named_tensors.h"

#include <torch/torch.h>

namespace tl {
namespace {

// ImageNet-style models take colour images; the built-in tasks are grey.
// Say so before the first convolution fails with a shape error.
void check_image_channels(const TransferModelImpl& model, const Dataset& data) {
  const int64_t wanted = model.input_shape().channels;
  const int64_t given = data.images.size(1);
  if (wanted == given) return;
  throw ConfigError("model: " + model.architecture() + " takes images with " + std::to_string(wanted) +
                    " channels, but the target task's images have " + std::to_string(given) +
                    "; choose a model made for them (e.g. small_cnn or resnet_narrow for Fashion-MNIST)");
}

}  // namespace

PreparedExperiment prepare_experiment(const ExperimentConfig& config, const DataLoadObserver& observer) {
  check_target_labels(config);
  PreparedExperiment p;
  static_cast<PreparedModel&>(p) = prepare_model(config);
  p.config = config;
  p.config.model.architecture = p.architecture;
  // Image folders are converted to the model's channels and size as they load.
  p.data = build_task_data(config.target, p.pretrained_normalization(), "target", p.model->input_shape(), observer);
  check_image_channels(*p.model, p.data.train);
  if (p.data.train.num_classes() != p.model->num_classes()) {
    // An image folder whose class folders changed between counting and loading.
    throw ConfigError("target task has " + std::to_string(p.data.train.num_classes()) +
                      " classes but the head was built for " + std::to_string(p.model->num_classes()));
  }
  prepare_mitigations(p);
  p.initial_state = cloned_state(*p.model);
  return p;
}

std::map<std::string, torch::Tensor> cloned_state(const TransferModelImpl& model) {
  auto state = state_dict(model);
  for (auto& [name, tensor] : state) tensor = tensor.clone();
  return state;
}

TrainingJob make_training_job(const PreparedExperiment& p) {
  TrainingJob job;
  job.model = p.model;
  job.plan = p.plan;
  job.train = p.data.train;
  job.validation = p.data.validation;
  job.options = p.config.training;
  const TrainingSchedule& schedule = p.config.transfer.schedule;
  job.lr_schedule = schedule.lr;
  if (schedule.unfreeze != UnfreezeKind::None || schedule.layer_decay != 1.0) {
    for (int epoch = 1; epoch <= job.options.epochs; ++epoch) {
      job.epoch_plans.push_back(plan_at_epoch(p.plan, *p.model, schedule, epoch));
    }
  }
  if (p.config.mitigations.l2sp) job.l2sp = p.config.mitigations.l2sp_options;
  job.dann = p.dann;
  if (p.dann && !p.config.target.labelled) {
    job.train = p.dann_source;  // the task head learns from the source labels alone
  } else if (p.dann) {
    // The task head learns from the source labels and the few target labels.
    job.train.images = torch::cat({p.dann_source.images, p.data.train.images});
    job.train.labels = torch::cat({p.dann_source.labels, p.data.train.labels});
  }
  job.multitask = p.multitask;
  if (p.multitask && p.multitask->source_head) {
    // Each run trains its own copy, so twins and repeats start alike.
    job.multitask->source_head =
        torch::nn::Linear(std::dynamic_pointer_cast<torch::nn::LinearImpl>(p.multitask->source_head->clone()));
  }
  return job;
}

}  // namespace tl
