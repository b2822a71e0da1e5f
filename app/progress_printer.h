#pragma once

#include "train/training_events.h"
#include "util/text_format.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace tl {

/// Prints training progress for the CLI: a redrawn progress bar with ETA on a
/// terminal, plain lines (one per epoch) when output goes to a file or pipe.
class ProgressPrinter : public TrainingListener {
 public:
  explicit ProgressPrinter(std::string label, FILE* out = stderr);

  void on_batch(const BatchEvent& e) override;
  void on_epoch(const EpochEvent& e) override;
  void on_finished(const FinishedEvent& e) override;
  void on_run_event(const RunEvent& e) override;

 private:
  void clear_bar();

  std::string label_;
  FILE* out_;
  bool terminal_;
  bool bar_shown_ = false;
  int total_epochs_hint_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
  std::mutex mutex_;
};

}  // namespace tl
