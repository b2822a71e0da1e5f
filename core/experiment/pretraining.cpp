#include "experiment/pretraining.h"

#include "experiment/task_data.h"
#include "models/model_zoo.h"
#include "train/trainer.h"
#include "util/utc_time.h"

#include <torch/torch.h>

#include <sstream>

namespace tl {
namespace {

std::string describe_task(const DataConfig& d, const std::vector<std::string>& class_names) {
  std::string text = "Fashion-MNIST classes ";
  const auto classes = d.selected_classes();
  for (size_t i = 0; i < classes.size(); ++i) text += (i ? "," : "") + std::to_string(classes[i]);
  text += " (";
  for (size_t i = 0; i < class_names.size(); ++i) text += (i ? ", " : "") + class_names[i];
  text += ")";
  if (d.shift.kind != ShiftKind::None) {
    std::ostringstream s;
    s << ", " << shift_kind_name(d.shift.kind) << " " << d.shift.strength;
    text += s.str();
  }
  return text;
}

}  // namespace

Checkpoint pretrain(const ExperimentConfig& config, TrainingListener* listener) {
  if (config.model.architecture.empty()) {
    throw ConfigError("model.architecture: expected the architecture to pretrain (" +
                      [] {
                        std::string names;
                        for (const auto& n : architecture_names()) names += (names.empty() ? "" : ", ") + n;
                        return names;
                      }() +
                      ")");
  }
  torch::manual_seed(config.training.seed);
  TaskData data = build_task_data(config.source, std::nullopt, "source");
  TrainingJob job;
  job.model = make_model(config.model.architecture, data.train.num_classes());
  job.plan = make_plan(Strategy::FullFineTuning, *job.model);
  job.train = data.train;
  job.validation = data.validation;
  job.options = config.training;
  TrainingOutcome outcome = Trainer::run(std::move(job), listener);
  if (outcome.status != RunStatus::Finished) {
    throw std::runtime_error("pretraining " + run_status_name(outcome.status) +
                             (outcome.message.empty() ? "" : ": " + outcome.message));
  }
  Checkpoint ckpt;
  CheckpointMetadata& m = ckpt.metadata;
  m.architecture = config.model.architecture;
  m.input = outcome.model->input_shape();
  m.class_names = data.train.class_names;
  m.source_task = describe_task(config.source, m.class_names);
  m.training_images = data.train.size();
  m.source_accuracy = evaluate(*outcome.model, data.test).accuracy;
  m.seed = config.training.seed;
  m.created = utc_now_iso8601();
  m.normalization_mean = data.normalization.mean;
  m.normalization_std = data.normalization.std;
  m.extra = {{"recipe", config_to_json(config)},
             {"epochs", outcome.epochs.size()},
             {"final_val_accuracy", outcome.epochs.empty() ? 0.0 : outcome.epochs.back().val_accuracy}};
  ckpt.tensors = state_dict(*outcome.model);
  return ckpt;
}

}  // namespace tl
