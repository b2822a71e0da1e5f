#include "progress_printer.h"

#include <unistd.h>

#include <cmath>

namespace tl {

ProgressPrinter::ProgressPrinter(std::string label, FILE* out)
    : label_(std::move(label)), out_(out), terminal_(::isatty(::fileno(out)) != 0) {}

void ProgressPrinter::clear_bar() {
  if (bar_shown_) std::fprintf(out_, "\r\033[K");
  bar_shown_ = false;
}

void ProgressPrinter::on_batch(const BatchEvent& e) {
  if (!terminal_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  // Redraw at most 10 times a second; a terminal is slower than a batch.
  if (e.progress < 1.0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(e.progress * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(out_, "\r\033[K%s [%s] %3d%%  epoch %d batch %ld/%ld  loss %.4f  ETA %s", label_.c_str(),
               bar.c_str(), static_cast<int>(e.progress * 100), e.epoch, static_cast<long>(e.batch),
               static_cast<long>(e.batches_per_epoch), e.loss, format_duration(e.eta_seconds).c_str());
  std::fflush(out_);
  bar_shown_ = true;
}

void ProgressPrinter::on_epoch(const EpochEvent& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_bar();
  std::fprintf(out_, "%s epoch %d: train loss %.4f, train acc %.1f%%, val loss %.4f, val acc %.1f%% (%s)\n",
               label_.c_str(), e.epoch, e.train_loss, 100 * e.train_accuracy, e.val_loss, 100 * e.val_accuracy,
               format_duration(e.seconds).c_str());
  std::fflush(out_);
}

void ProgressPrinter::on_finished(const FinishedEvent& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_bar();
  if (e.status == RunStatus::Cancelled) std::fprintf(out_, "%s cancelled after %d epochs\n", label_.c_str(), e.epochs_completed);
  std::fflush(out_);
}

void ProgressPrinter::on_run_event(const RunEvent& e) {
  // Checkpoints are routine; what changes the run or threatens it is shown.
  const bool shown = e.kind == RunEventKind::Warning || e.kind == RunEventKind::PlanChange ||
                     e.kind == RunEventKind::Resume;
  if (!shown) return;
  std::lock_guard<std::mutex> lock(mutex_);
  clear_bar();
  if (e.kind == RunEventKind::Resume) {
    std::fprintf(out_, "%s resumed at epoch %d, batch %ld %s\n", label_.c_str(), e.epoch, static_cast<long>(e.batch) + 1,
                 e.details.c_str());
  } else {
    std::fprintf(out_, "%s %s: %s\n", label_.c_str(), e.kind == RunEventKind::Warning ? "warning" : "plan changed",
                 e.details.c_str());
  }
  std::fflush(out_);
}

}  // namespace tl
