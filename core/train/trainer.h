#pragma once

#include "data/dataset.h"
#include "models/transfer_model.h"
#include "train/training_events.h"
#include "transfer/freeze_plan.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tl {

enum class OptimizerKind { Sgd, Adam };
std::string optimizer_name(OptimizerKind kind);  ///< "sgd", "adam"
OptimizerKind optimizer_from_name(const std::string& name);

struct TrainingOptions {
  int epochs = 5;
  int64_t batch_size = 64;
  double learning_rate = 0.01;
  OptimizerKind optimizer = OptimizerKind::Sgd;
  double momentum = 0.9;       ///< SGD only
  double weight_decay = 0.0;
  uint64_t seed = 1;
  int threads = 0;             ///< intra-op threads; 0 = every core
  bool cache_frozen_features = true;  ///< reuse activations of a frozen prefix every epoch
};

/// Everything one training run needs. The trainer takes ownership: nothing in
/// it is touched by another thread until the run has ended.
struct TrainingJob {
  TransferModel model{nullptr};
  FreezePlan plan;
  Dataset train;
  Dataset validation;
  TrainingOptions options;
};

/// What a run leaves behind.
struct TrainingOutcome {
  RunStatus status = RunStatus::Finished;
  std::string message;
  TransferModel model{nullptr};
  std::vector<EpochEvent> epochs;
  double seconds = 0.0;
  int64_t cached_prefix_blocks = 0;  ///< blocks whose output was cached (0 = none)
};

/// Loss and accuracy of a model on a dataset (eval mode, no grad).
struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
  std::vector<double> per_class_accuracy;
};
Evaluation evaluate(TransferModelImpl& model, const Dataset& data, int64_t batch_size = 256);

/// The same on data that already went through blocks [0, first_block)
/// (cached activations at a freeze boundary).
Evaluation evaluate_from_block(TransferModelImpl& model, const Dataset& data, int64_t first_block,
                               int64_t batch_size = 256);

/// Number of intra-op threads a training thread uses for `requested`; 0 means
/// every core: the GUI thread mostly sleeps between 25 Hz redraws, and on a
/// 2-core laptop sparing a core for it would halve training speed.
int training_thread_count(int requested);

/// Trains a model on its own thread and reports through a TrainingListener.
///
/// Before the first step the plan is validated and applied: listed layers are
/// re-initialised, frozen parameters get requires_grad(false) and are left out
/// of the optimizer, and modules whose parameters are all frozen stay in eval
/// mode (so frozen BatchNorm statistics never move). Each trainable parameter
/// belongs to a parameter group with lr = base lr × its multiplier.
/// pause(), resume() and cancel() take effect between batches.
/// The run is reproducible for options.seed on the same machine.
class Trainer {
 public:
  Trainer(TrainingJob job, TrainingListener* listener);
  ~Trainer();  ///< cancels a running job and joins the thread
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void start();   ///< starts the training thread; once
  void pause();
  void resume();
  void cancel();
  bool paused() const { return pause_requested_.load(); }
  bool running() const { return running_.load(); }

  /// Blocks until the thread has ended and returns the outcome; call once.
  TrainingOutcome wait();

  /// start() + wait() on the calling thread's behalf.
  static TrainingOutcome run(TrainingJob job, TrainingListener* listener = nullptr);

 private:
  void thread_main();
  void train_loop();
  void wait_while_paused();
  bool cancel_requested() const { return cancel_requested_.load(); }

  TrainingJob job_;
  TrainingListener* listener_;
  TrainingOutcome outcome_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> pause_requested_{false};
  std::atomic<bool> cancel_requested_{false};
  std::mutex pause_mutex_;
  std::condition_variable pause_cv_;
};

}  // namespace tl
