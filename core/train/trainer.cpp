#include "train/trainer.h"

#include "train/feature_cache.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>
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
                                                        const TrainingOptions& opt) {
  // One parameter group per learning-rate multiplier; frozen parameters are left out.
  std::map<double, std::vector<torch::Tensor>> by_multiplier;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) {
    const LayerSetting s = plan.setting_for(p.key());
    if (s.trainable && s.lr_multiplier > 0.0) by_multiplier[s.lr_multiplier].push_back(p.value());
  }
  if (by_multiplier.empty()) {
    throw std::runtime_error("nothing to train: every layer is frozen (unfreeze at least the head)");
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (auto& [multiplier, params] : by_multiplier) {
    const double lr = opt.learning_rate * multiplier;
    if (opt.optimizer == OptimizerKind::Adam) {
      auto o = std::make_unique<torch::optim::AdamOptions>(lr);
      o->weight_decay(opt.weight_decay);
      groups.emplace_back(params, std::move(o));
    } else {
      auto o = std::make_unique<torch::optim::SGDOptions>(lr);
      o->momentum(opt.momentum).weight_decay(opt.weight_decay);
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

// Train mode for what learns, eval mode for what is frozen, so that frozen
// BatchNorm layers keep their running statistics.
void set_training_modes(TransferModelImpl& model, const std::vector<std::string>& frozen_modules) {
  model.train();
  auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& path : frozen_modules) modules[path]->eval();
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

void Trainer::pause() {
  if (!pause_requested_.exchange(true) && listener_) listener_->on_paused(true);
}

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

void Trainer::train_loop() {
  // Grad mode and the intra-op thread count are per thread: set them here.
  torch::AutoGradMode grad_mode(true);
  torch::set_num_threads(training_thread_count(job_.options.threads));
  torch::manual_seed(job_.options.seed);

  auto& model = *job_.model;
  const auto& plan = job_.plan;
  const auto& opt = job_.options;
  check_options(opt, job_.train);
  plan.validate(model, model.architecture());
  for (const auto& path : plan.reinitialized()) model.reset_module(path);
  plan.apply(model);
  auto optimizer = make_optimizer(model, plan, opt);
  const auto frozen = plan.frozen_modules(model);

  // A frozen prefix is a fixed function of the input: run it once.
  int64_t first_block = 0;
  Dataset train = job_.train;
  Dataset validation = job_.validation;
  if (opt.cache_frozen_features) {
    const int64_t prefix = frozen_prefix_blocks(model, plan);
    if (prefix > 0 && prefix_cache_bytes(model, train, prefix) + prefix_cache_bytes(model, validation, prefix) <=
                          kMaxFeatureCacheBytes) {
      train = precompute_prefix(model, train, prefix);
      validation = precompute_prefix(model, validation, prefix);
      first_block = prefix;
    }
  }
  outcome_.cached_prefix_blocks = first_block;

  const int64_t n = train.size();
  const int64_t batches = (n + opt.batch_size - 1) / opt.batch_size;
  const int64_t total_batches = batches * opt.epochs;
  double train_seconds = 0.0;  // excludes pauses
  auto generator = at::make_generator<at::CPUGeneratorImpl>(opt.seed);

  for (int epoch = 1; epoch <= opt.epochs && !cancel_requested(); ++epoch) {
    set_training_modes(model, frozen);
    auto epoch_start = Clock::now();
    double epoch_seconds = 0.0;
    const auto order = torch::randperm(n, generator, torch::kLong);
    double loss_sum = 0.0;
    int64_t correct = 0, seen = 0;

    for (int64_t b = 0; b < batches; ++b) {
      if (pause_requested_.load()) {
        epoch_seconds += seconds_since(epoch_start);
        wait_while_paused();
        epoch_start = Clock::now();
      }
      if (cancel_requested()) break;
      const auto idx = order.slice(0, b * opt.batch_size, std::min((b + 1) * opt.batch_size, n));
      const auto x = train.images.index_select(0, idx);
      const auto y = train.labels.index_select(0, idx);
      optimizer->zero_grad();
      const auto logits = model.head_forward(model.run_blocks(x, first_block, model.num_blocks()));
      const auto loss = torch::nn::functional::cross_entropy(logits, y);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw std::runtime_error("training loss became " + std::string(std::isnan(loss_value) ? "NaN" : "infinite") +
                                 " in epoch " + std::to_string(epoch) + ", batch " + std::to_string(b + 1) +
                                 ": the learning rate is probably too high");
      }
      loss.backward();
      optimizer->step();

      loss_sum += loss_value * static_cast<double>(idx.size(0));
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += idx.size(0);
      if (listener_) {
        const double elapsed = train_seconds + epoch_seconds + seconds_since(epoch_start);
        const int64_t done = (epoch - 1) * batches + b + 1;
        BatchEvent event{epoch, b + 1, batches, loss_value, static_cast<double>(done) / total_batches, elapsed,
                         elapsed / done * static_cast<double>(total_batches - done)};
        listener_->on_batch(event);
      }
    }
    if (cancel_requested() || seen == 0) break;
    const Evaluation val = evaluate_from_block(model, validation, first_block);
    epoch_seconds += seconds_since(epoch_start);
    train_seconds += epoch_seconds;
    EpochEvent event{epoch, loss_sum / seen, static_cast<double>(correct) / seen, val.loss, val.accuracy,
                     epoch_seconds};
    outcome_.epochs.push_back(event);
    if (listener_) listener_->on_epoch(event);
  }
  model.eval();
}

}  // namespace tl
