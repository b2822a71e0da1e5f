#include "experiment/experiment.h"

#include "data/idx_reader.h"
#include "data/label_mismatch.h"
#include "util/atomic_file.h"
#include "experiment/folder_task.h"
#include "experiment/source_task.h"
#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "models/progressive_network.h"
#include "weights/pretrained_catalog.h"
#include "util/utc_time.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>

namespace fs = std::filesystem;

namespace tl {
namespace {

// Loading and decoding Fashion-MNIST takes about a second; the GUI builds
// many tasks from it, so each split is read once per process.
Dataset cached_fashion_mnist(const std::string& root, DataSplit split) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, DataSplit>, Dataset> cache;
  const std::string dir = root.empty() ? default_fashion_mnist_dir() : root;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find({dir, split});
  if (it == cache.end()) it = cache.emplace(std::make_pair(dir, split), load_fashion_mnist(dir, split)).first;
  return it->second;
}

std::vector<int64_t> classes_or_all(const DataConfig& d) {
  if (!d.classes.empty()) return d.classes;
  std::vector<int64_t> all(fashion_mnist_class_names().size());
  std::iota(all.begin(), all.end(), 0);
  return all;
}

// Only the label-meaning dials apply to the test set: its classes must mean
// what the training labels mean, but it stays balanced and clean.
LabelMismatch meaning_only(const LabelMismatch& m) {
  LabelMismatch meaning;
  meaning.swaps = m.swaps;
  meaning.merges = m.merges;
  meaning.seed = m.seed;
  return meaning;
}

std::string describe_task(const DataConfig& d, const std::vector<std::string>& class_names) {
  std::string text = "Fashion-MNIST classes ";
  const auto classes = classes_or_all(d);
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

Normalization normalization_of(const CheckpointMetadata& m) { return {m.normalization_mean, m.normalization_std}; }

FreezePlan plan_for(const ExperimentConfig& config, TransferModelImpl& model) {
  const StrategyChoice choice = config.resolved_strategy();
  FreezePlan plan;
  try {
    plan = make_plan(choice.strategy, model, choice.options);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& [path, setting] : config.transfer.layers) {
    if (!path.empty() && !modules.contains(path)) {
      throw ConfigError("transfer.layers." + path + ": no such layer in " + model.architecture() +
                        " (see `transferlab-cli layers`)");
    }
    plan.set(path, setting);
  }
  return plan;
}

// The target's training images not drawn as labelled shots, shifted and
// normalised like them: DANN's unlabelled set. Mirrors build_task_data.
Dataset unlabelled_target_images(const DataConfig& d, const Normalization& norm) {
  Dataset pool = select_classes(cached_fashion_mnist(d.root, DataSplit::Train), classes_or_all(d));
  if (!d.mismatch.is_identity()) pool = apply_label_mismatch(pool, d.mismatch);
  const Dataset train = split_validation(pool, d.val_fraction, d.seed).first;
  // sample_per_class draws by label only: on image positions it names the shots.
  Dataset positions = train;
  positions.images = torch::arange(train.size(), torch::kLong);
  const auto shots = sample_per_class_for(positions, d.shots_per_class, d.seed, "target.shots_per_class").images;
  auto unlabelled = torch::ones({train.size()}, torch::kBool);
  unlabelled.index_put_({shots}, false);
  return normalize(apply_shift(train.subset(unlabelled.nonzero().squeeze(1)), d.shift), norm);
}

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
  if (target.labelled && target.shots_per_class == 0) {
    throw ConfigError("mitigations.dann: needs unlabelled target images; set target.shots_per_class to the "
                      "labelled images per class (the rest become the unlabelled set), or target.labelled to false");
  }
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

// An unlabelled target leaves only domain-adversarial training something to
// learn from; say so before any data is loaded.
void check_target_labels(const ExperimentConfig& config) {
  if (config.target.labelled) return;
  if (config.target.shots_per_class > 0) {
    throw ConfigError("target.shots_per_class: target.labelled is false, so there are no labelled shots to draw; "
                      "remove shots_per_class or set labelled to true");
  }
  if (!config.mitigations.dann) {
    throw ConfigError("target.labelled: false leaves the target task without training labels; only "
                      "domain-adversarial adaptation (mitigations.dann) trains without them, from the source labels");
  }
}

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

// Builds what the enabled mitigations need besides the target task.
void prepare_mitigations(PreparedExperiment& p) {
  const MitigationsConfig& m = p.config.mitigations;
  if (m.dann && m.multitask) {
    throw ConfigError("mitigations: dann and multitask both train on the source task's labels; enable one of them");
  }
  if (!m.dann && !m.multitask) return;
  if (m.dann && p.config.target.dataset == kImageFolderDataset) {
    throw ConfigError("mitigations.dann: draws its unlabelled target images from Fashion-MNIST; it does not take an "
                      "image-folder target");
  }
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

}  // namespace

Dataset sample_per_class_for(const Dataset& data, int64_t k, uint64_t seed, const std::string& field) {
  try {
    return sample_per_class(data, k, seed);
  } catch (const std::invalid_argument& e) {
    std::string reason = e.what();
    const std::string own_prefix = "sample_per_class: ";
    if (reason.rfind(own_prefix, 0) == 0) reason.erase(0, own_prefix.size());
    throw ConfigError(field + ": " + reason);
  }
}

TaskData build_task_data(const DataConfig& d, const std::optional<Normalization>& norm, const std::string& section,
                         const InputShape& input, const DataLoadObserver& observer) {
  if (d.dataset == kImageFolderDataset) return build_folder_task(d, norm, section, input, observer);
  const auto classes = classes_or_all(d);
  Dataset pool = select_classes(cached_fashion_mnist(d.root, DataSplit::Train), classes);
  Dataset test = select_classes(cached_fashion_mnist(d.root, DataSplit::Test), classes);
  if (!d.mismatch.is_identity()) {
    pool = apply_label_mismatch(pool, d.mismatch);
    test = apply_label_mismatch(test, meaning_only(d.mismatch));
  }
  // Validation comes from the rest of the pool, so k-shot training keeps all k.
  auto [train, validation] = split_validation(pool, d.val_fraction, d.seed);
  if (d.shots_per_class > 0) train = sample_per_class_for(train, d.shots_per_class, d.seed, section + ".shots_per_class");
  if (d.test_per_class > 0) test = sample_per_class_for(test, d.test_per_class, d.seed + 1, section + ".test_per_class");

  TaskData task;
  task.train = apply_shift(train, d.shift);
  task.validation = apply_shift(validation, d.shift);
  task.test = apply_shift(test, d.shift);
  task.normalization = norm ? *norm : compute_normalization(task.train);
  task.train = normalize(task.train, task.normalization);
  task.validation = normalize(task.validation, task.normalization);
  task.test = normalize(task.test, task.normalization);
  return task;
}

int64_t target_class_count(const DataConfig& data) {
  if (data.dataset == kImageFolderDataset) return folder_class_count(data);
  int64_t count = static_cast<int64_t>(classes_or_all(data).size());
  for (const auto& group : data.mismatch.merges) count -= static_cast<int64_t>(group.size()) - 1;
  return count;
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

FreezePlan freeze_plan_for(const ExperimentConfig& config, TransferModelImpl& model) {
  FreezePlan plan = plan_for(config, model);
  // The pretrained column of a progressive network never trains.
  if (config.mitigations.progressive) plan.set("source", {false, 1.0});
  return plan;
}

PreparedExperiment prepare_experiment(const ExperimentConfig& config, const DataLoadObserver& observer) {
  check_target_labels(config);
  PreparedModel m = prepare_model(config);
  PreparedExperiment p;
  p.config = config;
  p.config.model.architecture = m.architecture;
  p.model = m.model;
  p.pretrained = m.pretrained;
  p.plan = m.plan;
  std::optional<Normalization> norm;
  if (m.pretrained && !m.pretrained->normalization_mean.empty()) norm = normalization_of(*m.pretrained);
  // Image folders are converted to the model's channels and size as they load.
  p.data = build_task_data(config.target, norm, "target", p.model->input_shape(), observer);
  check_image_channels(*p.model, p.data.train);
  if (p.data.train.num_classes() != p.model->num_classes()) {
    throw std::logic_error("target task has " + std::to_string(p.data.train.num_classes()) +
                           " classes but the head was built for " + std::to_string(p.model->num_classes()));
  }
  prepare_mitigations(p);
  p.initial_state = state_dict(*p.model);
  for (auto& [name, tensor] : p.initial_state) tensor = tensor.clone();
  return p;
}

TrainingJob make_training_job(const PreparedExperiment& p) {
  TrainingJob job;
  job.model = p.model;
  job.plan = p.plan;
  job.train = p.data.train;
  job.validation = p.data.validation;
  job.options = p.config.training;
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

std::vector<LayerRecord> layer_drift(const TransferModelImpl& model,
                                     const std::map<std::string, torch::Tensor>& before) {
  std::vector<LayerRecord> layers;
  torch::NoGradGuard no_grad;
  for (const auto& info : layer_tree(model)) {
    if (info.own_parameters == 0) continue;
    LayerRecord r{info.path, info.type, info.own_parameters, info.trainable_parameters == info.subtree_parameters, 0.0};
    double squared = 0.0;
    auto modules = model.named_modules("", /*include_self=*/false);
    for (const auto& p : modules[info.path]->named_parameters(/*recurse=*/false)) {
      const auto it = before.find(info.path + "." + p.key());
      if (it == before.end() || !it->second.sizes().equals(p.value().sizes())) continue;
      squared += (p.value() - it->second).pow(2).sum().item<double>();
    }
    r.drift = std::sqrt(squared);
    layers.push_back(r);
  }
  return layers;
}

RunRecord make_run_record(const PreparedExperiment& p, const TrainingOutcome& outcome) {
  RunRecord r;
  r.config = config_to_json(p.config);
  r.epochs = outcome.epochs;
  r.status = outcome.status;
  r.message = outcome.message;
  r.seconds = outcome.seconds;
  if (!outcome.epochs.empty()) r.val_accuracy = outcome.epochs.back().val_accuracy;
  if (outcome.model && outcome.status != RunStatus::Failed) {
    const Evaluation test = evaluate(*outcome.model.ptr(), p.data.test);
    r.test_accuracy = test.accuracy;
    r.test_per_class_accuracy = test.per_class_accuracy;
  }
  if (outcome.model) r.layers = layer_drift(*outcome.model, p.initial_state);
  if (p.data.folder_report) r.sections["data_report"] = p.data.folder_report->to_json();
  // What a reader needs to repeat the run's numbers exactly (the config's
  // training.threads may say 0, every core of whatever machine runs it).
  if (outcome.threads > 0) {
    r.sections["compute"] = {{"threads", outcome.threads},
                             {"weight_memory_format", outcome.channels_last ? "channels_last" : "nchw"}};
  }
  return r;
}

nlohmann::json RunRecord::to_json() const {
  nlohmann::json epochs_json = nlohmann::json::array();
  for (const auto& e : epochs) {
    epochs_json.push_back({{"epoch", e.epoch},
                           {"train_loss", e.train_loss},
                           {"train_accuracy", e.train_accuracy},
                           {"val_loss", e.val_loss},
                           {"val_accuracy", e.val_accuracy},
                           {"seconds", e.seconds}});
    if (e.domain_accuracy >= 0.0) {
      epochs_json.back()["domain_accuracy"] = e.domain_accuracy;
      epochs_json.back()["lambda"] = e.lambda;
    }
    if (!e.warning.empty()) epochs_json.back()["warning"] = e.warning;
  }
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& l : layers) {
    layers_json.push_back(
        {{"path", l.path}, {"type", l.type}, {"params", l.params}, {"trainable", l.trainable}, {"drift", l.drift}});
  }
  nlohmann::json j = {{"config", config},
                       {"status", run_status_name(status)},
                       {"message", message},
                       {"seconds", seconds},
                       {"epochs", epochs_json},
                       {"final",
                        {{"val_accuracy", val_accuracy},
                         {"test_accuracy", test_accuracy},
                         {"test_per_class_accuracy", test_per_class_accuracy}}},
                       {"layers", layers_json}};
  for (const auto& item : sections.items()) j[item.key()] = item.value();
  return j;
}

void write_run(const RunRecord& record, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory (" + ec.message() + ")");
  std::ostringstream csv;
  csv << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n";
  csv << std::setprecision(8);
  for (const auto& e : record.epochs) {
    csv << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.val_loss << ',' << e.val_accuracy
        << ',' << e.seconds << '\n';
  }
  write_file_atomically((fs::path(dir) / "metrics.csv").string(), csv.str());
  write_file_atomically((fs::path(dir) / "run.json").string(), record.to_json().dump(2) + "\n");
}

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
