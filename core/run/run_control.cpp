#include "run/run_control.h"

#include "experiment/prepared_model.h"

#include <chrono>
#include <thread>

namespace tl {

void RunControl::cancel() {
  cancel_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  if (trainer_) trainer_->cancel();
}

void RunControl::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (trainer_) trainer_->pause();
}

void RunControl::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (trainer_) trainer_->resume();
}

bool RunControl::update(const ExperimentConfig& config) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!trainer_ || !model_) return false;
  // Reading the model's layout is safe: the trainer only changes weights.
  trainer_->update({freeze_plan_for(config, *model_), config.training.learning_rate});
  return true;
}

TrainingOutcome RunControl::train(TrainingJob job, TrainingListener* listener) {
  TransferModel model = job.model;
  Trainer trainer(std::move(job), listener);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    trainer_ = &trainer;
    model_ = model;
  }
  if (cancel_) trainer.cancel();
  trainer.start();
  // cancel() reaches the trainer directly; this loop serves the flag set
  // from a signal handler, which cannot take the mutex.
  while (trainer.running()) {
    if (cancel_.load()) trainer.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  TrainingOutcome outcome = trainer.wait();
  std::lock_guard<std::mutex> lock(mutex_);
  trainer_ = nullptr;
  model_ = TransferModel(nullptr);
  return outcome;
}

}  // namespace tl
