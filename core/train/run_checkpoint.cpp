#include "train/run_checkpoint.h"

#include "weights/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace tl {
namespace {

// Bumped when the checkpoint layout changes, so an old file is refused by name.
constexpr int kCheckpointFormat = 1;

using Tensors = std::map<std::string, torch::Tensor>;

// What a checkpoint must match to resume a run, in the order it is checked.
std::vector<std::pair<const char*, nlohmann::json>> job_identity(const TrainingRun& run,
                                                                  const TrainingOptions& options) {
  return {{"architecture", run.model.architecture()},
          {"epochs", options.epochs},
          {"batches_per_epoch", run.batches},
          {"seed", options.seed},
          {"optimizer", optimizer_name(options.optimizer)}};
}

nlohmann::json epoch_progress_to_json(const EpochProgress& p) {
  return {{"epoch", p.epoch},         {"next_batch", p.next_batch},         {"loss_sum", p.loss_sum},
          {"correct", p.correct},     {"seen", p.seen},                     {"domain_correct", p.domain_correct},
          {"domain_seen", p.domain_seen}, {"lambda", p.lambda}, {"seconds", p.seconds}};
}

EpochProgress epoch_progress_from_json(const nlohmann::json& j, torch::Tensor order) {
  EpochProgress p;
  p.epoch = j.at("epoch").get<int>();
  p.next_batch = j.at("next_batch").get<int64_t>();
  p.loss_sum = j.at("loss_sum").get<double>();
  p.correct = j.at("correct").get<int64_t>();
  p.seen = j.at("seen").get<int64_t>();
  p.domain_correct = j.at("domain_correct").get<int64_t>();
  p.domain_seen = j.at("domain_seen").get<int64_t>();
  p.lambda = j.at("lambda").get<double>();
  p.seconds = j.at("seconds").get<double>();
  p.order = std::move(order);
  return p;
}

nlohmann::json progress_of(const TrainingRun& run, const TrainingOptions& options,
                           const std::vector<EpochEvent>& completed, const EpochProgress* partial, int epoch) {
  nlohmann::json p;
  p["format"] = kCheckpointFormat;
  for (const auto& [field, value] : job_identity(run, options)) p[field] = value;
  p["next_epoch"] = partial ? partial->epoch : epoch + 1;
  p["partial_epoch"] = partial ? epoch_progress_to_json(*partial) : nlohmann::json();
  p["train_seconds"] = run.train_seconds;
  p["plan"] = freeze_plan_to_json(run.plan);
  p["learning_rate"] = run.learning_rate;
  p["threads"] = run.threads;
  p["channels_last"] = run.channels_last;
  nlohmann::json& epochs = p["completed_epochs"] = nlohmann::json::array();
  for (const auto& e : completed) epochs.push_back(epoch_event_to_json(e));
  return p;
}

void put_module_tensors(Tensors& tensors, const std::string& prefix, const torch::nn::Module& module) {
  for (auto& [name, tensor] : state_dict(module)) tensors[prefix + name] = std::move(tensor);
}

// The tensors under `prefix` without it.
Tensors tensors_under(const Tensors& tensors, const std::string& prefix) {
  Tensors result;
  for (const auto& [name, tensor] : tensors) {
    if (name.rfind(prefix, 0) == 0) result.emplace(name.substr(prefix.size()), tensor);
  }
  return result;
}

const torch::Tensor& tensor_at(const Tensors& tensors, const std::string& name, const std::string& path) {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error(path + ": " + name + " is missing");
  return it->second;
}

// LibTorch's global CPU generator: dropout, initialisation and randperm without a generator draw from it.
torch::Tensor default_generator_state() {
  at::Generator global = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(global.mutex());
  return global.get_state();
}

void set_default_generator_state(const torch::Tensor& state) {
  at::Generator global = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(global.mutex());
  global.set_state(state);
}

void put_cycler(Tensors& tensors, nlohmann::json& positions, const std::string& name,
                const std::optional<BatchCycler>& cycler) {
  if (!cycler) return;
  const BatchCycler::State state = cycler->state();
  tensors["rng/" + name] = state.generator;
  if (state.order.defined()) tensors["cycler/" + name + "/order"] = state.order;
  positions[name] = state.position;
}

void restore_cycler(const TrainingCheckpoint& ckpt, const std::string& path, const std::string& name,
                    std::optional<BatchCycler>& cycler) {
  if (!cycler) return;
  BatchCycler::State state;
  state.generator = tensor_at(ckpt.tensors, "rng/" + name, path);
  const auto order = ckpt.tensors.find("cycler/" + name + "/order");
  if (order != ckpt.tensors.end()) state.order = order->second;
  state.position = ckpt.progress.at("cyclers").at(name).get<int64_t>();
  cycler->restore(state);
}

// Adds the run's tensors to `ckpt`, and to its progress the optimizer's step
// counts and the cyclers' positions.
void put_run_state(TrainingCheckpoint& ckpt, const TrainingRun& run, const EpochProgress* partial) {
  Tensors& t = ckpt.tensors;
  nlohmann::json& p = ckpt.progress;
  put_module_tensors(t, "model/", run.model);
  if (run.mitigations.domain) put_module_tensors(t, "domain/", *run.mitigations.domain);
  if (run.mitigations.source_head) put_module_tensors(t, "source_head/", *run.mitigations.source_head);
  p["optimizer_steps"] = optimizer_states_to_tensors(take_optimizer_states(*run.optimizer, run.named_parameters()), t);
  t["rng/default"] = default_generator_state();
  t["rng/order"] = run.order_generator.get_state();
  if (partial) t["partial/order"] = partial->order;
  p["cyclers"] = nlohmann::json::object();
  put_cycler(t, p["cyclers"], "unlabelled", run.mitigations.unlabelled);
  put_cycler(t, p["cyclers"], "source", run.mitigations.source);
}

void check_same_job(const nlohmann::json& p, const TrainingRun& run, const TrainingOptions& options) {
  if (p.at("format").get<int>() != kCheckpointFormat) {
    throw std::runtime_error("format " + p.at("format").dump() + " is not supported (expected " +
                             std::to_string(kCheckpointFormat) + ")");
  }
  for (const auto& [field, ours] : job_identity(run, options)) {
    if (p.at(field) != ours) {
      throw std::runtime_error(std::string(field) + " is " + p.at(field).dump() + " but this run has " + ours.dump() +
                               "; resume with the run's own config");
    }
  }
}

// The thread count and weight layout the checkpoint was trained with, so the
// rest of the run rounds as it would have without the interruption. A
// checkpoint older than these fields was trained NCHW, with the thread count
// of its day: unknown, so the current one stays.
void restore_compute_settings(const nlohmann::json& p, TrainingRun& run) {
  if (p.contains("threads")) {
    const int threads = p.at("threads").get<int>();
    if (threads < 1 || threads > kMaxTrainingThreads) {
      throw std::runtime_error("threads " + std::to_string(threads) + " is out of range");
    }
    if (threads != run.threads) at::set_num_threads(threads);
    run.threads = threads;
  }
  run.use_channels_last(p.value("channels_last", false));
}

// The weights and the optimizer state of the parameters the run's plan
// trains, then the random generators and the cyclers' positions.
void restore_run_state(const TrainingCheckpoint& ckpt, const std::string& path, TrainingRun& run,
                       const TrainingOptions& options) {
  load_into(run.model, tensors_under(ckpt.tensors, "model/"));
  run.first_block = -1;  // a cache built before holds activations of the weights before loading
  if (run.mitigations.domain) load_into(*run.mitigations.domain, tensors_under(ckpt.tensors, "domain/"));
  if (run.mitigations.source_head) {
    load_into(*run.mitigations.source_head, tensors_under(ckpt.tensors, "source_head/"));
  }
  put_optimizer_states(*run.optimizer, run.named_parameters(),
                       optimizer_states_from_tensors(options.optimizer == OptimizerKind::Adam, ckpt.tensors,
                                                     ckpt.progress.at("optimizer_steps")));
  set_default_generator_state(tensor_at(ckpt.tensors, "rng/default", path));
  run.order_generator.set_state(tensor_at(ckpt.tensors, "rng/order", path));
  restore_cycler(ckpt, path, "unlabelled", run.mitigations.unlabelled);
  restore_cycler(ckpt, path, "source", run.mitigations.source);
}

// The epochs done, the training time so far and where the run continues.
int restore_progress(const TrainingCheckpoint& ckpt, const std::string& path, TrainingRun& run,
                     std::vector<EpochEvent>& completed, std::optional<EpochProgress>& partial) {
  const nlohmann::json& p = ckpt.progress;
  completed.clear();
  for (const auto& e : p.at("completed_epochs")) completed.push_back(epoch_event_from_json(e));
  run.train_seconds = p.at("train_seconds").get<double>();
  if (!p.at("partial_epoch").is_null()) {
    partial = epoch_progress_from_json(p.at("partial_epoch"), tensor_at(ckpt.tensors, "partial/order", path));
  }
  return p.at("next_epoch").get<int>();
}

}  // namespace

TrainingCheckpoint checkpoint_of_run(const TrainingRun& run, const TrainingOptions& options,
                                     const std::vector<EpochEvent>& completed, const EpochProgress* partial,
                                     int epoch) {
  TrainingCheckpoint ckpt;
  ckpt.progress = progress_of(run, options, completed, partial, epoch);
  put_run_state(ckpt, run, partial);
  return ckpt;
}

int restore_run_from_checkpoint(const std::string& path, TrainingRun& run, const TrainingOptions& options,
                                const std::function<void(const TrainingUpdate&)>& switch_plan,
                                std::vector<EpochEvent>& completed, std::optional<EpochProgress>& partial) {
  const TrainingCheckpoint ckpt = load_training_checkpoint(path);
  const nlohmann::json& p = ckpt.progress;
  try {
    check_same_job(p, run, options);
    restore_compute_settings(p, run);
    const TrainingUpdate saved{freeze_plan_from_json(p.at("plan")), p.at("learning_rate").get<double>()};
    if (!(saved.plan == run.plan) || saved.learning_rate != run.learning_rate) switch_plan(saved);
    restore_run_state(ckpt, path, run, options);
    return restore_progress(ckpt, path, run, completed, partial);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": the training progress is incomplete (" + e.what() + ")");
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": cannot resume from it: " + e.what());
  }
}

}  // namespace tl
