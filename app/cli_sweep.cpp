// transferlab-cli sweep: many runs of one config over the axes of its "sweep"
// section, each judged against scratch twins shared between trials.
#include "cli_commands.h"

#include "sweep/run_sweep.h"
#include "train/trainer.h"
#include "util/text_format.h"
#include "cli_args.h"
#include "progress_printer.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <unistd.h>

namespace fs = std::filesystem;

namespace tl::cli {
namespace {

// The sweep's cancel flag while it trains; SIGINT stores true in it (an
// atomic store is async-signal-safe) and the job stops between batches.
std::atomic<bool>* g_sweep_cancel = nullptr;

void on_sweep_interrupt(int) {
  if (g_sweep_cancel) g_sweep_cancel->store(true);
}

std::string axis_heading(const std::string& field) {
  const std::string label = trial_label({{field, 0}}, {field});
  return label.substr(0, label.rfind('='));
}

/// The table on stdout, one row per trial as it finishes; job progress on stderr.
class CliSweepObserver : public SweepObserver {
 public:
  void on_sweep_started(const SweepTable& table) override {
    axes_ = table.axes;
    widths_.clear();
    for (const auto& a : axes_) widths_.push_back(std::max<int>(6, static_cast<int>(axis_heading(a).size())));
    std::printf("sweep %s: %ld trial(s)%s\n", table.name.c_str(), static_cast<long>(table.total_trials),
                table.trials.empty() ? "" : (", " + std::to_string(table.trials.size()) + " finished before").c_str());
    std::printf("%5s", "trial");
    for (size_t i = 0; i < axes_.size(); ++i) std::printf("  %*s", widths_[i], axis_heading(axes_[i]).c_str());
    std::printf("  %-16s  %-7s  %7s  %8s  %s\n", "accuracy", "twin", "gain", "seconds", "status");
    for (const auto& t : table.trials) print_row(t);
    std::fflush(stdout);
  }
  void on_trial_started(const SweepTrial& trial) override { trial_ = trial.index; }
  void on_trial_finished(const TrialResult& r, const SweepTable&) override { print_row(r); }
  void on_warning(const std::string& warning) override {
    std::fprintf(stderr, "transferlab-cli: warning: %s\n", warning.c_str());
  }
  void on_job_started(const JobIdentity& job) override {
    printer_ = std::make_unique<ProgressPrinter>("trial " + std::to_string(trial_) + " " + job_label(job));
  }
  void on_batch(const BatchEvent& e) override { printer_->on_batch(e); }
  void on_epoch(const EpochEvent& e) override { printer_->on_epoch(e); }
  void on_run_event(const RunEvent& e) override { printer_->on_run_event(e); }
  void on_finished(const FinishedEvent& e) override { printer_->on_finished(e); }

 private:
  void print_row(const TrialResult& r) const {
    std::printf("%5d", r.index);
    for (size_t i = 0; i < axes_.size(); ++i) {
      const std::string value = r.values.contains(axes_[i]) ? sweep_value_text(r.values[axes_[i]]) : "";
      std::printf("  %*s", widths_[i], value.c_str());
    }
    char accuracy[48];
    std::snprintf(accuracy, sizeof accuracy, "%s ± %.1f", format_percent(r.mean).c_str(), 100 * r.std);
    // "±" is two bytes but one column.
    std::printf("  %-17s  %-7s  %+7.1f  %8.1f  %s\n", accuracy, format_percent(r.twin_mean).c_str(), r.gain,
                r.seconds, r.status.c_str());
    std::fflush(stdout);
  }

  std::vector<std::string> axes_;
  std::vector<int> widths_;
  int trial_ = 0;
  std::unique_ptr<ProgressPrinter> printer_;
};

SweepTable sweep_interruptibly(const SweepRequest& request, CliSweepObserver& observer, RunControl& control) {
  g_sweep_cancel = &control.cancel_flag();
  auto previous = std::signal(SIGINT, on_sweep_interrupt);
  struct Restore {
    decltype(previous) handler;
    ~Restore() {
      std::signal(SIGINT, handler);
      g_sweep_cancel = nullptr;
    }
  } restore{previous};
  return run_sweep(request, observer, control);
}

SweepRequest sweep_request(const ParsedArgs& parsed) {
  if (parsed.positional.size() != 1) throw UsageError{"sweep takes exactly one CONFIG.json"};
  const auto seeds = parsed.get("--seeds");
  const auto threads = parsed.get("--threads");
  const int64_t seeds_value = seeds ? parse_int("--seeds", *seeds, 1) : 0;
  const int64_t threads_value = threads ? parse_int("--threads", *threads, 0) : 0;
  if (threads_value > kMaxTrainingThreads) {
    throw UsageError{"--threads: expected at most " + std::to_string(kMaxTrainingThreads)};
  }
  SweepRequest request;
  request.config = load_config(parsed.positional.front());
  if (threads) request.config.training.threads = static_cast<int>(threads_value);
  request.spec = sweep_spec_of(request.config);
  if (seeds) request.spec.seeds = seeds_value;
  request.dir = parsed.get("--out").value_or(default_sweep_dir(request.config));
  return request;
}

/// A sweep directory is continued only when asked, so a second sweep with
/// the same --out does not silently add to the first.
void check_resume(const SweepRequest& request, bool resume) {
  std::error_code ec;
  const bool exists = fs::exists(fs::path(request.dir) / "sweep.json", ec);
  if (exists && !resume) {
    throw std::runtime_error(request.dir + "/sweep.json: a sweep is already there; pass --resume to continue it or "
                                           "--out DIR for a new one");
  }
  if (!exists && resume) throw std::runtime_error(request.dir + "/sweep.json: no sweep to resume");
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--out", "--seeds", "--threads"}, {"--resume"});
  const SweepRequest request = sweep_request(parsed);
  check_resume(request, parsed.get("--resume").has_value());
  if (::isatty(::fileno(stderr))) std::fprintf(stderr, "checking the sweep of %s...\n", request.config.name.c_str());
  RunControl control;
  CliSweepObserver observer;
  const SweepTable table = sweep_interruptibly(request, observer, control);
  if (const TrialResult* best = table.best()) {
    std::printf("best: trial %d (%s): %s ± %.1f, %+.1f points over the twin (%s)\n", best->index,
                trial_label(best->values, table.axes).c_str(), format_percent(best->mean).c_str(), 100 * best->std,
                best->gain, best->verdict.empty() ? "no verdict" : best->verdict.c_str());
  }
  std::printf("wrote %s/sweep.json and %s/sweep.csv (trials in %s/trial-NNN)\n", request.dir.c_str(),
              request.dir.c_str(), request.dir.c_str());
  if (static_cast<int64_t>(table.trials.size()) < table.total_trials) {
    std::fprintf(stderr, "transferlab-cli: sweep stopped after %zu of %ld trials; continue with --resume\n",
                 table.trials.size(), static_cast<long>(table.total_trials));
    return 130;
  }
  return 0;
}

}  // namespace tl::cli
