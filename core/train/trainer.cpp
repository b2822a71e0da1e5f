#include "train/trainer.h"

#include "train/allocator_tuning.h"
#include "train/batch_cycler.h"
#include "train/cpu_threads.h"
#include "train/feature_cache.h"
#include "train/optimizer_state.h"
#include "train/run_checkpoint.h"
#include "train/training_checkpoint.h"
#include "train/training_run.h"
#include "transfer/domain_classifier.h"
#include "transfer/gradient_reversal.h"
#include "util/text_format.h"
#include "util/utc_time.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace tl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A loss that is no longer finite; ends the run as Diverged.
struct DivergedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Cached activations larger than this are not kept; the prefix then runs
// every step like the rest of the network.
constexpr int64_t kMaxFeatureCacheBytes = int64_t{2} << 30;

// An optimizer and the learning-rate multiplier of each of its parameter groups.
struct GroupedOptimizer {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<double> multipliers;
};

GroupedOptimizer make_optimizer(torch::nn::Module& model, const FreezePlan& plan, const TrainingOptions& opt,
                                double learning_rate, const std::vector<torch::Tensor>& extra_params,
                                double weight_decay) {
  // One parameter group per learning-rate multiplier; frozen parameters are left out.
  std::map<double, std::vector<torch::Tensor>> by_multiplier;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) {
    const LayerSetting s = plan.setting_for(p.key());
    if (s.trainable && s.lr_multiplier > 0.0) by_multiplier[s.lr_multiplier].push_back(p.value());
  }
  if (by_multiplier.empty()) {
    throw std::runtime_error("nothing to train: every layer is frozen (unfreeze at least the head)");
  }
  // The mitigations' own layers (domain classifier, source head) are new: base rate.
  for (const auto& p : extra_params) by_multiplier[1.0].push_back(p);
  GroupedOptimizer built;
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (auto& [multiplier, params] : by_multiplier) {
    const double lr = learning_rate * multiplier;
    built.multipliers.push_back(multiplier);
    if (opt.optimizer == OptimizerKind::Adam) {
      auto o = std::make_unique<torch::optim::AdamOptions>(lr);
      o->weight_decay(weight_decay);
      groups.emplace_back(params, std::move(o));
    } else {
      auto o = std::make_unique<torch::optim::SGDOptions>(lr);
      o->momentum(opt.momentum).weight_decay(weight_decay);
      groups.emplace_back(params, std::move(o));
    }
  }
  if (opt.optimizer == OptimizerKind::Adam) {
    built.optimizer = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(learning_rate));
  } else {
    built.optimizer = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(learning_rate));
  }
  return built;
}

// Each group's rate for the coming step: base × its multiplier × the schedule's factor.
void set_learning_rates(TrainingRun& run, double factor) {
  auto& groups = run.optimizer->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].options().set_lr(run.learning_rate * run.group_multipliers[i] * factor);
  }
}

void check_options(const TrainingOptions& o, const Dataset& train) {
  if (o.epochs < 1) throw std::invalid_argument("training.epochs: expected an integer >= 1");
  if (o.batch_size < 1) throw std::invalid_argument("training.batch_size: expected an integer >= 1");
  if (!(o.learning_rate > 0.0)) throw std::invalid_argument("training.learning_rate: expected a number > 0");
  if (train.size() == 0) throw std::invalid_argument("the training set is empty");
}

void check_epoch_plans(const TrainingJob& job, const TransferModelImpl& model) {
  if (job.epoch_plans.empty()) return;
  if (static_cast<int>(job.epoch_plans.size()) != job.options.epochs) {
    throw std::invalid_argument("schedule: expected a plan for each of the " + std::to_string(job.options.epochs) +
                                " epochs, got " + std::to_string(job.epoch_plans.size()));
  }
  for (const auto& plan : job.epoch_plans) plan.validate(model, model.architecture());
}

void check_mitigations(const TrainingJob& job) {
  if (job.dann) {
    if (job.dann->unlabelled.size() == 0) throw std::invalid_argument("dann: the unlabelled target set is empty");
    if (!(job.dann->domain_weight >= 0.0)) throw std::invalid_argument("dann.domain_weight: expected a number >= 0");
    const auto& d = job.dann->labelled_domains;
    if (d.defined() && (d.dim() != 1 || d.size(0) != job.train.size())) {
      throw std::invalid_argument("dann.labelled_domains: expected one domain per training image");
    }
  }
  if (job.multitask) {
    if (job.multitask->source.size() == 0) throw std::invalid_argument("multitask: the source set is empty");
    if (!(job.multitask->source_weight >= 0.0)) {
      throw std::invalid_argument("multitask.source_weight: expected a number >= 0");
    }
  }
}

// What one step computed.
struct StepOutput {
  torch::Tensor objective;  // what is optimised
  torch::Tensor task_loss;  // target cross-entropy of the labelled batch
  torch::Tensor logits;
  int64_t domain_correct = 0;
  int64_t domain_seen = 0;
};

// One pass through the blocks for every image of the step, so BatchNorm
// normalises the labelled, source and unlabelled images together.
StepOutput forward_step(TransferModelImpl& model, int64_t first_block, const Dataset& train, const torch::Tensor& idx,
                        RunMitigations& m, double lambda) {
  std::vector<torch::Tensor> inputs{train.images.index_select(0, idx)};
  torch::Tensor source_idx;
  if (m.source) {
    source_idx = m.source->next();
    inputs.push_back(m.source->data().images.index_select(0, source_idx));
  }
  if (m.unlabelled) inputs.push_back(m.unlabelled->data().images.index_select(0, m.unlabelled->next()));
  std::vector<int64_t> sizes;
  for (const auto& t : inputs) sizes.push_back(t.size(0));
  const auto features = model.run_blocks(inputs.size() == 1 ? inputs[0] : torch::cat(inputs), first_block,
                                         model.num_blocks());
  const auto parts = features.split_with_sizes(sizes);

  StepOutput out;
  out.logits = model.head_forward(parts[0]);
  out.task_loss = torch::nn::functional::cross_entropy(out.logits, train.labels.index_select(0, idx));
  out.objective = out.task_loss;
  if (m.source) {
    const auto y = m.source->data().labels.index_select(0, source_idx);
    out.objective = out.objective + m.source_weight * torch::nn::functional::cross_entropy(m.source_head(parts[1]), y);
  }
  if (m.unlabelled) {
    const auto target_features = parts.back();
    const auto domain_logits = m.domain(reverse_gradient(torch::cat({parts[0], target_features}), lambda));
    const auto domains = torch::cat({m.labelled_domains.index_select(0, idx), torch::ones({target_features.size(0)})});
    out.objective = out.objective + m.domain_weight * torch::nn::functional::binary_cross_entropy_with_logits(
                                                          domain_logits, domains);
    out.domain_correct = domain_logits.gt(0).eq(domains.gt(0.5)).sum().item<int64_t>();
    out.domain_seen = domains.size(0);
  }
  if (m.l2sp) out.objective = out.objective + (*m.l2sp)();
  return out;
}

// Train mode for what learns, eval mode for what is frozen, so that frozen
// BatchNorm layers keep their running statistics.
void set_training_modes(TransferModelImpl& model, const std::vector<std::string>& frozen_modules) {
  model.train();
  auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& path : frozen_modules) modules[path]->eval();
}

RunMitigations prepare_mitigations(const TrainingJob& job, TransferModelImpl& model) {
  RunMitigations m;
  const auto& opt = job.options;
  // Built after re-initialisation: w0 is where training starts.
  if (job.l2sp) m.l2sp.emplace(model, job.plan, model.head_path(), *job.l2sp);
  if (job.dann) {
    m.domain = DomainClassifier(model.feature_dim());
    m.unlabelled.emplace(job.dann->unlabelled, opt.batch_size, opt.seed + 1);
    m.labelled_domains = job.dann->labelled_domains.defined() ? job.dann->labelled_domains.to(torch::kFloat)
                                                               : torch::zeros({job.train.size()});
    m.domain_weight = job.dann->domain_weight;
    m.adversarial = job.dann->adversarial;
  }
  if (job.multitask) {
    const int64_t classes = job.multitask->source.num_classes();
    m.source_head = job.multitask->source_head ? job.multitask->source_head
                                                : torch::nn::Linear(model.feature_dim(), classes);
    if (m.source_head->options.in_features() != model.feature_dim() ||
        m.source_head->options.out_features() != classes) {
      throw std::invalid_argument("multitask.source_head: expected " + std::to_string(model.feature_dim()) +
                                  " inputs and " + std::to_string(classes) + " outputs");
    }
    m.source.emplace(job.multitask->source, opt.batch_size, opt.seed + 2);
    m.source_weight = job.multitask->source_weight;
  }
  return m;
}

}  // namespace

std::string optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::Adam ? "adam" : "sgd"; }

OptimizerKind optimizer_from_name(const std::string& name) {
  if (name == "sgd") return OptimizerKind::Sgd;
  if (name == "adam") return OptimizerKind::Adam;
  throw std::invalid_argument("unknown optimizer '" + name + "' (expected sgd or adam)");
}

int training_thread_count(int requested) {
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

Evaluation evaluate(TransferModelImpl& model, const Dataset& data, int64_t batch_size) {
  return evaluate_from_block(model, data, 0, batch_size);
}

Evaluation evaluate_from_block(TransferModelImpl& model, const Dataset& data, int64_t first_block,
                               int64_t batch_size) {
  Evaluation result;
  const int64_t classes = model.num_classes();
  result.per_class_accuracy.assign(classes, 0.0);
  if (data.size() == 0) return result;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  auto correct_per_class = torch::zeros({classes}, torch::kLong);
  auto total_per_class = torch::zeros({classes}, torch::kLong);
  double loss_sum = 0.0;
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t end = std::min(start + batch_size, data.size());
    auto x = data.images.slice(0, start, end);
    auto y = data.labels.slice(0, start, end);
    auto logits = model.head_forward(model.run_blocks(x, first_block, model.num_blocks()));
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    auto hit = logits.argmax(1).eq(y).to(torch::kLong);
    correct_per_class.index_add_(0, y, hit);
    total_per_class.index_add_(0, y, torch::ones_like(y));
  }
  model.train(was_training);
  result.loss = loss_sum / static_cast<double>(data.size());
  result.accuracy = correct_per_class.sum().item<double>() / static_cast<double>(data.size());
  for (int64_t c = 0; c < classes; ++c) {
    const auto total = total_per_class[c].item<int64_t>();
    result.per_class_accuracy[c] = total ? correct_per_class[c].item<double>() / total : 0.0;
  }
  return result;
}

Trainer::Trainer(TrainingJob job, TrainingListener* listener) : job_(std::move(job)), listener_(listener) {}

Trainer::~Trainer() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void Trainer::start() {
  if (thread_.joinable()) throw std::logic_error("Trainer::start called twice");
  running_ = true;
  thread_ = std::thread([this] { thread_main(); });
}

// The training thread reports the pause once it has parked between two
// batches, so every batch event of the run arrives before on_paused(true).
void Trainer::pause() { pause_requested_ = true; }

void Trainer::resume() {
  {
    std::lock_guard<std::mutex> lock(pause_mutex_);
    if (!pause_requested_.exchange(false)) return;
  }
  pause_cv_.notify_all();
  if (listener_) listener_->on_paused(false);
}

void Trainer::cancel() {
  cancel_requested_ = true;
  {
    std::lock_guard<std::mutex> lock(pause_mutex_);
  }
  pause_cv_.notify_all();
}

TrainingOutcome Trainer::wait() {
  if (thread_.joinable()) thread_.join();
  return std::move(outcome_);
}

TrainingOutcome Trainer::run(TrainingJob job, TrainingListener* listener) {
  Trainer trainer(std::move(job), listener);
  trainer.start();
  return trainer.wait();
}

void Trainer::wait_while_paused() {
  std::unique_lock<std::mutex> lock(pause_mutex_);
  pause_cv_.wait(lock, [this] { return !pause_requested_.load() || cancel_requested_.load(); });
}

void Trainer::thread_main() {
  const auto start = Clock::now();
  outcome_.model = job_.model;
  try {
    train_loop();
    outcome_.status = cancel_requested() ? RunStatus::Cancelled : RunStatus::Finished;
  } catch (const DivergedError& e) {
    outcome_.status = RunStatus::Diverged;
    outcome_.message = e.what();
  } catch (const std::exception& e) {
    outcome_.status = RunStatus::Failed;
    outcome_.message = e.what();
  }
  outcome_.seconds = seconds_since(start);
  release_kept_memory();
  running_ = false;
  if (listener_) {
    listener_->on_finished({outcome_.status, outcome_.message, static_cast<int>(outcome_.epochs.size())});
  }
}

std::string epoch_warning(const std::vector<EpochEvent>& previous, const EpochEvent& current) {
  std::vector<std::string> warnings;
  if (current.domain_accuracy > 0.95 && !previous.empty() && previous.back().domain_accuracy > 0.95) {
    warnings.push_back("features not aligned: the domain classifier tells the domains apart " +
                       format_percent(current.domain_accuracy, 0) + " of the time");
  }
  const size_t n = previous.size();
  if (n >= 3 && previous[n - 3].train_loss < previous[n - 2].train_loss &&
      previous[n - 2].train_loss < previous[n - 1].train_loss && previous[n - 1].train_loss < current.train_loss) {
    warnings.push_back("task loss diverges: the training loss grew 3 epochs in a row");
  }
  std::string text;
  for (const auto& w : warnings) text += (text.empty() ? "" : "; ") + w;
  return text;
}

namespace {

std::string number_text(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

// A rate two orders of magnitude below `lr`, rounded down to a power of ten:
// 10 -> 0.1, 0.5 -> 0.001.
double smaller_learning_rate(double lr) { return std::pow(10.0, std::floor(std::log10(lr)) - 2.0); }

// "loss became NaN at epoch 2, batch 17; the learning rate 10 is probably too
// high - try 0.1; the checkpoint after epoch 1 is kept"
std::string divergence_message(double bad, const std::string& where, double lr, const std::string& kept) {
  return std::string("loss became ") + (std::isnan(bad) ? "NaN" : "infinite") + " " + where +
         "; the learning rate " + number_text(lr) + " is probably too high - try " +
         number_text(smaller_learning_rate(lr)) + (kept.empty() ? "" : "; the checkpoint " + kept + " is kept");
}

// "layer3, layer4" from the plan entries whose trainability `after` changed to `trainable`.
std::string changed_layers(const TransferModelImpl& model, const FreezePlan& before, const FreezePlan& after,
                           bool trainable) {
  std::string names;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    const std::string& path = item.key();
    const auto own = item.value()->named_parameters(/*recurse=*/false);
    if (own.is_empty()) continue;
    const std::string param = path + "." + own.begin()->key();
    const bool was = before.setting_for(param).trainable, is = after.setting_for(param).trainable;
    if (was != is && is == trainable) names += (names.empty() ? "" : ", ") + path;
  }
  return names;
}

std::string describe_update(const TransferModelImpl& model, const FreezePlan& old_plan, double old_lr,
                            const TrainingUpdate& update) {
  std::string text;
  const auto add = [&](const std::string& part) { text += (text.empty() ? "" : "; ") + part; };
  if (old_lr != update.learning_rate) {
    add("learning rate " + number_text(old_lr) + " -> " + number_text(update.learning_rate));
  }
  const std::string unfrozen = changed_layers(model, old_plan, update.plan, true);
  const std::string frozen = changed_layers(model, old_plan, update.plan, false);
  if (!unfrozen.empty()) add("unfrozen: " + unfrozen);
  if (!frozen.empty()) add("frozen: " + frozen);
  return text.empty() ? "learning-rate multipliers changed" : text;
}

}  // namespace

void Trainer::update(TrainingUpdate update) {
  std::lock_guard<std::mutex> lock(update_mutex_);
  pending_update_ = std::move(update);
}

void Trainer::report(int epoch, int64_t batch, RunEventKind kind, const std::string& details) {
  const RunEvent event{utc_now_iso8601(), epoch, batch, kind, details, batches_per_epoch_};
  if (!job_.run_dir.empty() && !append_run_event(job_.run_dir, event) && !event_log_failed_) {
    event_log_failed_ = true;  // said once, not on every event
    report(epoch, batch, RunEventKind::Warning, run_event_log_path(job_.run_dir) + ": cannot append to the event log");
  }
  if (listener_) listener_->on_run_event(event);
}

void Trainer::cache_frozen_prefix(TrainingRun& run) {
  // A frozen prefix is a fixed function of the input: run it once.
  int64_t prefix = job_.options.cache_frozen_features ? frozen_prefix_blocks(run.model, run.plan) : 0;
  const auto& m = run.mitigations;
  if (prefix > 0) {
    int64_t bytes = prefix_cache_bytes(run.model, job_.train, prefix) +
                    prefix_cache_bytes(run.model, job_.validation, prefix);
    if (m.unlabelled) bytes += prefix_cache_bytes(run.model, job_.dann->unlabelled, prefix);
    if (m.source) bytes += prefix_cache_bytes(run.model, job_.multitask->source, prefix);
    if (bytes > kMaxFeatureCacheBytes) prefix = 0;
  }
  if (prefix == run.first_block) return;
  ++outcome_.feature_cache_builds;
  // The cyclers keep their batch order: only their images become activations.
  run.train = precompute_prefix(run.model, job_.train, prefix);
  run.validation = precompute_prefix(run.model, job_.validation, prefix);
  if (m.unlabelled) run.mitigations.unlabelled->replace_data(precompute_prefix(run.model, job_.dann->unlabelled, prefix));
  if (m.source) run.mitigations.source->replace_data(precompute_prefix(run.model, job_.multitask->source, prefix));
  run.first_block = prefix;
}

void Trainer::apply_plan(TrainingRun& run, const TrainingUpdate& update) {
  if (!(update.learning_rate > 0.0)) throw std::invalid_argument("learning rate: expected a number > 0");
  update.plan.validate(run.model, run.model.architecture());
  // Built before anything changes, so a plan that leaves nothing to train is refused cleanly.
  GroupedOptimizer built = make_optimizer(run.model, update.plan, job_.options, update.learning_rate,
                                          run.mitigations.extra_parameters(),
                                          run.mitigations.l2sp ? 0.0 : job_.options.weight_decay);
  const NamedParameters params = run.named_parameters();
  const OptimizerStates states = take_optimizer_states(*run.optimizer, params);
  update.plan.apply(run.model);
  put_optimizer_states(*built.optimizer, params, states);
  run.optimizer = std::move(built.optimizer);
  run.group_multipliers = std::move(built.multipliers);
  run.plan = update.plan;
  run.learning_rate = update.learning_rate;
  run.frozen = run.plan.frozen_modules(run.model);
  cache_frozen_prefix(run);
  set_training_modes(run.model, run.frozen);
  run.mitigations.train();
}

void Trainer::apply_scheduled_plan(TrainingRun& run, int epoch) {
  const auto& plans = job_.epoch_plans;
  if (plans.empty()) return;
  const FreezePlan& scheduled = plans[epoch - 1];
  // Between two steps of the schedule, edits made while training hold.
  const bool schedule_steps = epoch > 1 && !(scheduled == plans[epoch - 2]);
  if (!schedule_steps || scheduled == run.plan) return;
  const TrainingUpdate update{scheduled, run.learning_rate};
  const std::string change = "schedule: " + describe_update(run.model, run.plan, run.learning_rate, update);
  apply_plan(run, update);
  report(epoch, 0, RunEventKind::PlanChange, change);
}

void Trainer::apply_pending_update(TrainingRun& run, int epoch, int64_t batch) {
  std::optional<TrainingUpdate> update;
  {
    std::lock_guard<std::mutex> lock(update_mutex_);
    update.swap(pending_update_);
  }
  // Resuming from a pause may send the settings as they were: nothing to log.
  if (!update || (update->plan == run.plan && update->learning_rate == run.learning_rate)) return;
  const std::string change = describe_update(run.model, run.plan, run.learning_rate, *update);
  try {
    apply_plan(run, *update);
  } catch (const std::exception& e) {
    report(epoch, batch, RunEventKind::Warning, std::string("the change of the freeze plan was not applied: ") + e.what());
    return;
  }
  report(epoch, batch, RunEventKind::PlanChange, change);
}

void Trainer::save_checkpoint(TrainingRun& run, const EpochProgress* partial, int epoch, int64_t batch) {
  if (job_.run_dir.empty()) return;
  const TrainingCheckpoint ckpt = checkpoint_of_run(run, job_.options, outcome_.epochs, partial, epoch);
  try {
    save_training_checkpoint(ckpt, training_checkpoint_path(job_.run_dir));
  } catch (const std::exception& e) {
    report(epoch, batch, RunEventKind::Warning, std::string("checkpoint not saved: ") + e.what());
    return;
  }
  run.last_checkpoint = partial ? "paused in epoch " + std::to_string(epoch) + " after batch " + std::to_string(batch)
                                : "after epoch " + std::to_string(epoch);
  report(epoch, batch, RunEventKind::Checkpoint, run.last_checkpoint);
}

int Trainer::resume_from_checkpoint(TrainingRun& run, std::optional<EpochProgress>& partial) {
  if (job_.run_dir.empty()) throw std::invalid_argument("resume: the job has no run directory");
  const std::string path = training_checkpoint_path(job_.run_dir);
  const auto switch_plan = [&](const TrainingUpdate& saved) { apply_plan(run, saved); };
  const int first_epoch = restore_run_from_checkpoint(path, run, job_.options, switch_plan, outcome_.epochs, partial);
  report(first_epoch, partial ? partial->next_batch : 0, RunEventKind::Resume, "from " + path);
  // The epochs before the checkpoint, so a plot or log shows the whole run,
  // and the changes made before it (its markers; the log has them already).
  // A change at the checkpoint's own position came after it was written.
  if (listener_) {
    for (const auto& e : outcome_.epochs) listener_->on_epoch(e);
    const std::pair<int, int64_t> resumed_at{first_epoch, partial ? partial->next_batch : 0};
    for (RunEvent e : read_run_events(job_.run_dir)) {
      if (e.kind != RunEventKind::PlanChange || std::make_pair(e.epoch, e.batch) >= resumed_at) continue;
      e.batches_per_epoch = run.batches;
      listener_->on_run_event(e);
    }
  }
  return first_epoch;
}

void Trainer::train_loop() {
  // Grad mode and the intra-op thread count are per thread: set them here.
  torch::AutoGradMode grad_mode(true);
  const CpuThreads cpu = configure_cpu_threads(job_.options.threads);
  keep_freed_memory_for_reuse();
  torch::manual_seed(job_.options.seed);

  auto& model = *job_.model;
  const auto& opt = job_.options;
  check_options(opt, job_.train);
  check_mitigations(job_);
  job_.plan.validate(model, model.architecture());
  check_epoch_plans(job_, model);
  // A resumed run repeats these steps as the original did (same seed), so
  // L2-SP's anchors and the mitigations' fresh layers come out the same.
  for (const auto& path : job_.plan.reinitialized()) model.reset_module(path);

  TrainingRun run(model);
  run.threads = cpu.torch_threads;
  run.use_channels_last(opt.channels_last);
  run.plan = job_.epoch_plans.empty() ? job_.plan : job_.epoch_plans.front();
  run.plan.apply(model);
  run.learning_rate = opt.learning_rate;
  run.mitigations = prepare_mitigations(job_, model);
  GroupedOptimizer built = make_optimizer(model, run.plan, opt, run.learning_rate, run.mitigations.extra_parameters(),
                                          run.mitigations.l2sp ? 0.0 : opt.weight_decay);
  run.optimizer = std::move(built.optimizer);
  run.group_multipliers = std::move(built.multipliers);
  run.frozen = run.plan.frozen_modules(model);
  run.order_generator = at::make_generator<at::CPUGeneratorImpl>(opt.seed);
  run.batches = (job_.train.size() + opt.batch_size - 1) / opt.batch_size;
  run.total_batches = run.batches * opt.epochs;
  batches_per_epoch_ = run.batches;

  if (!job_.run_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(job_.run_dir, ec);
    if (ec) {
      report(1, 0, RunEventKind::Warning,
             job_.run_dir + ": cannot create the run directory (" + ec.message() + "); no checkpoints are saved");
    }
  }
  std::optional<EpochProgress> partial;
  int first_epoch = 1;
  if (job_.resume) {
    first_epoch = resume_from_checkpoint(run, partial);
  } else {
    report(1, 0, RunEventKind::Start, std::to_string(opt.epochs) + " epochs of " + std::to_string(run.batches) + " batches");
  }
  cache_frozen_prefix(run);
  outcome_.cached_prefix_blocks = run.first_block;
  outcome_.threads = run.threads;
  outcome_.channels_last = run.channels_last;

  for (int epoch = first_epoch; epoch <= opt.epochs && !cancel_requested(); ++epoch) {
    EpochProgress progress;
    if (partial) {
      progress = std::move(*partial);
      partial.reset();
    } else {
      progress.epoch = epoch;
      progress.order = torch::randperm(job_.train.size(), run.order_generator, torch::kLong);
    }
    run_epoch(run, progress);
  }
  model.eval();
  report(static_cast<int>(outcome_.epochs.size()), 0, RunEventKind::End,
         cancel_requested() ? "cancelled" : "finished after " + std::to_string(outcome_.epochs.size()) + " epochs");
}

void Trainer::run_epoch(TrainingRun& run, EpochProgress& p) {
  const auto& opt = job_.options;
  auto& model = run.model;
  auto& mitigations = run.mitigations;
  const int64_t n = job_.train.size();
  const int epoch = p.epoch;
  set_training_modes(model, run.frozen);
  mitigations.train();
  auto epoch_start = Clock::now();

  for (int64_t b = p.next_batch; b < run.batches; ++b) {
    if (pause_requested_.load()) {
      p.seconds += seconds_since(epoch_start);
      p.next_batch = b;
      save_checkpoint(run, &p, epoch, b);
      if (listener_) listener_->on_paused(true);
      wait_while_paused();
      epoch_start = Clock::now();
    }
    if (cancel_requested()) break;
    // After the pause check: a checkpoint taken at batch 0 holds the plan
    // before the epoch's step, so a run resumed from it takes that step too.
    if (b == 0) apply_scheduled_plan(run, epoch);
    apply_pending_update(run, epoch, b);
    const auto idx = p.order.slice(0, b * opt.batch_size, std::min((b + 1) * opt.batch_size, n));
    const int64_t done = (epoch - 1) * run.batches + b + 1;
    set_learning_rates(run, job_.lr_schedule.factor(done - 1, run.total_batches, run.batches));
    if (mitigations.domain) {
      p.lambda = mitigations.adversarial ? dann_lambda(static_cast<double>(done - 1) / run.total_batches) : 0.0;
    }
    run.optimizer->zero_grad();
    const StepOutput step = forward_step(model, run.first_block, run.train, idx, mitigations, std::max(p.lambda, 0.0));
    const double loss_value = step.task_loss.item<double>();
    const double objective_value = step.objective.item<double>();
    if (!std::isfinite(loss_value) || !std::isfinite(objective_value)) {
      const double bad = std::isfinite(loss_value) ? objective_value : loss_value;
      const std::string message =
          divergence_message(bad, "at epoch " + std::to_string(epoch) + ", batch " + std::to_string(b + 1),
                             run.learning_rate, run.last_checkpoint);
      report(epoch, b, RunEventKind::Diverged, message);
      throw DivergedError(message);
    }
    step.objective.backward();
    run.optimizer->step();

    p.loss_sum += loss_value * static_cast<double>(idx.size(0));
    p.correct += step.logits.argmax(1).eq(run.train.labels.index_select(0, idx)).sum().item<int64_t>();
    p.seen += idx.size(0);
    p.domain_correct += step.domain_correct;
    p.domain_seen += step.domain_seen;
    p.next_batch = b + 1;
    if (listener_) {
      const double elapsed = run.train_seconds + p.seconds + seconds_since(epoch_start);
      BatchEvent event{epoch, b + 1, run.batches, loss_value, static_cast<double>(done) / run.total_batches, elapsed,
                       elapsed / done * static_cast<double>(run.total_batches - done)};
      if (step.domain_seen > 0) {
        event.domain_accuracy = static_cast<double>(step.domain_correct) / step.domain_seen;
        event.lambda = p.lambda;
      }
      listener_->on_batch(event);
    }
  }
  if (cancel_requested() || p.seen == 0) return;
  const Evaluation val = evaluate_from_block(model, run.validation, run.first_block);
  // The last step may have left weights that overflow without a bad training
  // loss: they must not become the checkpoint.
  if (!std::isfinite(val.loss)) {
    const std::string message =
        divergence_message(val.loss, "on the validation set after epoch " + std::to_string(epoch), run.learning_rate,
                           run.last_checkpoint);
    report(epoch, run.batches, RunEventKind::Diverged, message);
    throw DivergedError(message);
  }
  p.seconds += seconds_since(epoch_start);
  run.train_seconds += p.seconds;
  EpochEvent event;
  event.epoch = epoch;
  event.train_loss = p.loss_sum / p.seen;
  event.train_accuracy = static_cast<double>(p.correct) / p.seen;
  event.val_loss = val.loss;
  event.val_accuracy = val.accuracy;
  event.seconds = p.seconds;
  if (p.domain_seen > 0) {
    event.domain_accuracy = static_cast<double>(p.domain_correct) / p.domain_seen;
    event.lambda = p.lambda;
  }
  event.warning = epoch_warning(outcome_.epochs, event);
  outcome_.epochs.push_back(event);
  if (listener_) listener_->on_epoch(event);
  save_checkpoint(run, nullptr, epoch, run.batches);
}

}  // namespace tl
