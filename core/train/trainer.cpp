#include "train/trainer.h"

#include "train/batch_cycler.h"
#include "train/cpu_threads.h"
#include "train/feature_cache.h"
#include "transfer/domain_classifier.h"
#include "transfer/gradient_reversal.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Cached activations larger than this are not kept; the prefix then runs
// every step like the rest of the network.
constexpr int64_t kMaxFeatureCacheBytes = int64_t{2} << 30;

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& model, const FreezePlan& plan,
                                                        const TrainingOptions& opt,
                                                        const std::vector<torch::Tensor>& extra_params,
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
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (auto& [multiplier, params] : by_multiplier) {
    const double lr = opt.learning_rate * multiplier;
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
    return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(opt.learning_rate));
  }
  return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(opt.learning_rate));
}

void check_options(const TrainingOptions& o, const Dataset& train) {
  if (o.epochs < 1) throw std::invalid_argument("training.epochs: expected an integer >= 1");
  if (o.batch_size < 1) throw std::invalid_argument("training.batch_size: expected an integer >= 1");
  if (!(o.learning_rate > 0.0)) throw std::invalid_argument("training.learning_rate: expected a number > 0");
  if (train.size() == 0) throw std::invalid_argument("the training set is empty");
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

// The mitigations' state during one run; each member is empty when that
// mitigation is off.
struct Mitigations {
  std::optional<L2SpPenalty> l2sp;
  DomainClassifier domain{nullptr};
  std::optional<BatchCycler> unlabelled;
  torch::Tensor labelled_domains;  // float [train size]
  double domain_weight = 1.0;
  bool adversarial = true;
  torch::nn::Linear source_head{nullptr};
  std::optional<BatchCycler> source;
  double source_weight = 0.0;

  std::vector<torch::Tensor> extra_parameters() const {
    std::vector<torch::Tensor> params;
    if (domain) params = domain->parameters();
    if (source_head) {
      for (const auto& p : source_head->parameters()) params.push_back(p);
    }
    return params;
  }
  void train() {
    if (domain) domain->train();
    if (source_head) source_head->train();
  }
};

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
                        Mitigations& m, double lambda) {
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

std::string percent(double fraction) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << 100.0 * fraction << "%";
  return s.str();
}

// Train mode for what learns, eval mode for what is frozen, so that frozen
// BatchNorm layers keep their running statistics.
void set_training_modes(TransferModelImpl& model, const std::vector<std::string>& frozen_modules) {
  model.train();
  auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& path : frozen_modules) modules[path]->eval();
}

Mitigations prepare_mitigations(const TrainingJob& job, TransferModelImpl& model) {
  Mitigations m;
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

int64_t cache_frozen_prefix(const TrainingJob& job, TransferModelImpl& model, Dataset& train, Dataset& validation,
                            Mitigations& m) {
  // A frozen prefix is a fixed function of the input: run it once.
  if (!job.options.cache_frozen_features) return 0;
  const int64_t prefix = frozen_prefix_blocks(model, job.plan);
  if (prefix == 0) return 0;
  int64_t bytes = prefix_cache_bytes(model, train, prefix) + prefix_cache_bytes(model, validation, prefix);
  if (m.unlabelled) bytes += prefix_cache_bytes(model, m.unlabelled->data(), prefix);
  if (m.source) bytes += prefix_cache_bytes(model, m.source->data(), prefix);
  if (bytes > kMaxFeatureCacheBytes) return 0;
  train = precompute_prefix(model, train, prefix);
  validation = precompute_prefix(model, validation, prefix);
  const int64_t batch = job.options.batch_size;
  const uint64_t seed = job.options.seed;
  if (m.unlabelled) m.unlabelled.emplace(precompute_prefix(model, m.unlabelled->data(), prefix), batch, seed + 1);
  if (m.source) m.source.emplace(precompute_prefix(model, m.source->data(), prefix), batch, seed + 2);
  return prefix;
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
  } catch (const std::exception& e) {
    outcome_.status = RunStatus::Failed;
    outcome_.message = e.what();
  }
  outcome_.seconds = seconds_since(start);
  running_ = false;
  if (listener_) {
    listener_->on_finished({outcome_.status, outcome_.message, static_cast<int>(outcome_.epochs.size())});
  }
}

std::string epoch_warning(const std::vector<EpochEvent>& previous, const EpochEvent& current) {
  std::vector<std::string> warnings;
  if (current.domain_accuracy > 0.95 && !previous.empty() && previous.back().domain_accuracy > 0.95) {
    warnings.push_back("features not aligned: the domain classifier tells the domains apart " +
                       percent(current.domain_accuracy) + " of the time");
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

void Trainer::train_loop() {
  // Grad mode and the intra-op thread count are per thread: set them here.
  torch::AutoGradMode grad_mode(true);
  configure_cpu_threads(job_.options.threads);
  torch::manual_seed(job_.options.seed);

  auto& model = *job_.model;
  const auto& plan = job_.plan;
  const auto& opt = job_.options;
  check_options(opt, job_.train);
  check_mitigations(job_);
  plan.validate(model, model.architecture());
  for (const auto& path : plan.reinitialized()) model.reset_module(path);
  plan.apply(model);
  Mitigations mitigations = prepare_mitigations(job_, model);
  auto optimizer = make_optimizer(model, plan, opt, mitigations.extra_parameters(),
                                  mitigations.l2sp ? 0.0 : opt.weight_decay);
  const auto frozen = plan.frozen_modules(model);

  Dataset train = job_.train;
  Dataset validation = job_.validation;
  const int64_t first_block = cache_frozen_prefix(job_, model, train, validation, mitigations);
  outcome_.cached_prefix_blocks = first_block;

  const int64_t n = train.size();
  const int64_t batches = (n + opt.batch_size - 1) / opt.batch_size;
  const int64_t total_batches = batches * opt.epochs;
  double train_seconds = 0.0;  // excludes pauses
  auto generator = at::make_generator<at::CPUGeneratorImpl>(opt.seed);

  for (int epoch = 1; epoch <= opt.epochs && !cancel_requested(); ++epoch) {
    set_training_modes(model, frozen);
    mitigations.train();
    auto epoch_start = Clock::now();
    double epoch_seconds = 0.0;
    const auto order = torch::randperm(n, generator, torch::kLong);
    double loss_sum = 0.0, lambda = -1.0;
    int64_t correct = 0, seen = 0, domain_correct = 0, domain_seen = 0;

    for (int64_t b = 0; b < batches; ++b) {
      if (pause_requested_.load()) {
        epoch_seconds += seconds_since(epoch_start);
        if (listener_) listener_->on_paused(true);
        wait_while_paused();
        epoch_start = Clock::now();
      }
      if (cancel_requested()) break;
      const auto idx = order.slice(0, b * opt.batch_size, std::min((b + 1) * opt.batch_size, n));
      const int64_t done = (epoch - 1) * batches + b + 1;
      if (mitigations.domain) {
        lambda = mitigations.adversarial ? dann_lambda(static_cast<double>(done - 1) / total_batches) : 0.0;
      }
      optimizer->zero_grad();
      const StepOutput step = forward_step(model, first_block, train, idx, mitigations, std::max(lambda, 0.0));
      const double loss_value = step.task_loss.item<double>();
      const double objective_value = step.objective.item<double>();
      if (!std::isfinite(loss_value) || !std::isfinite(objective_value)) {
        const double bad = std::isfinite(loss_value) ? objective_value : loss_value;
        throw std::runtime_error("training loss became " + std::string(std::isnan(bad) ? "NaN" : "infinite") +
                                 " in epoch " + std::to_string(epoch) + ", batch " + std::to_string(b + 1) +
                                 ": the learning rate is probably too high");
      }
      step.objective.backward();
      optimizer->step();

      loss_sum += loss_value * static_cast<double>(idx.size(0));
      correct += step.logits.argmax(1).eq(train.labels.index_select(0, idx)).sum().item<int64_t>();
      seen += idx.size(0);
      domain_correct += step.domain_correct;
      domain_seen += step.domain_seen;
      if (listener_) {
        const double elapsed = train_seconds + epoch_seconds + seconds_since(epoch_start);
        BatchEvent event{epoch, b + 1, batches, loss_value, static_cast<double>(done) / total_batches, elapsed,
                         elapsed / done * static_cast<double>(total_batches - done)};
        if (step.domain_seen > 0) {
          event.domain_accuracy = static_cast<double>(step.domain_correct) / step.domain_seen;
          event.lambda = lambda;
        }
        listener_->on_batch(event);
      }
    }
    if (cancel_requested() || seen == 0) break;
    const Evaluation val = evaluate_from_block(model, validation, first_block);
    epoch_seconds += seconds_since(epoch_start);
    train_seconds += epoch_seconds;
    EpochEvent event;
    event.epoch = epoch;
    event.train_loss = loss_sum / seen;
    event.train_accuracy = static_cast<double>(correct) / seen;
    event.val_loss = val.loss;
    event.val_accuracy = val.accuracy;
    event.seconds = epoch_seconds;
    if (domain_seen > 0) {
      event.domain_accuracy = static_cast<double>(domain_correct) / domain_seen;
      event.lambda = lambda;
    }
    event.warning = epoch_warning(outcome_.epochs, event);
    outcome_.epochs.push_back(event);
    if (listener_) listener_->on_epoch(event);
  }
  model.eval();
}

}  // namespace tl
