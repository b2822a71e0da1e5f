#pragma once

#include "experiment/experiment_config.h"
#include "train/trainer.h"

#include <atomic>
#include <mutex>

namespace tl {

/// Steers a run from another thread (the window's buttons, the CLI's Ctrl-C):
/// the job training at the moment is paused, resumed, cancelled or given a
/// new plan. Every method is thread-safe and takes effect between batches.
/// A cancel also keeps any later job of the run from starting.
class RunControl {
 public:
  void cancel();
  bool cancelled() const { return cancel_.load(); }
  void pause();
  void resume();
  /// Applies `config`'s freeze plan (strategy and transfer.layers, on the
  /// model of the job training now) and learning rate before the next batch.
  /// False when no job is training. Throws ConfigError naming a bad layer.
  bool update(const ExperimentConfig& config);

  /// The flag cancel() sets. Storing true in it is async-signal-safe, so a
  /// SIGINT handler may do it; train() notices within 50 ms.
  std::atomic<bool>& cancel_flag() { return cancel_; }

  /// Trains `job` on a Trainer this control steers and returns its outcome;
  /// blocks until the job ends. A job started after cancel() ends at once as
  /// cancelled.
  TrainingOutcome train(TrainingJob job, TrainingListener* listener);

 private:
  std::atomic<bool> cancel_{false};
  std::mutex mutex_;
  Trainer* trainer_ = nullptr;    ///< the job training now; guarded by mutex_
  TransferModel model_{nullptr};  ///< its model, for update(); guarded by mutex_
};

}  // namespace tl
