#pragma once

#include "run/run_experiment.h"
#include "sweep/sweep_spec.h"
#include "sweep/sweep_table.h"

#include <string>

namespace tl {

/// What to sweep and where its files go.
struct SweepRequest {
  ExperimentConfig config;   ///< the base config; its sweep section parsed into `spec`
  SweepSpec spec;
  /// Gets sweep.json, sweep.csv, trial-NNN/ (one run directory per trial)
  /// and twins/ (the shared twins' run.json).
  std::string dir;
  std::string origin = "cli";
  std::string history_path;  ///< "" = default_history_path()
};

/// What a front end hears of a sweep: the jobs' events (RunObserver) and the
/// trials around them. Every call comes on the thread running run_sweep.
class SweepObserver : public RunObserver {
 public:
  /// Trials known; finished ones (from a resumed sweep) included.
  virtual void on_sweep_started(const SweepTable&) {}
  virtual void on_trial_started(const SweepTrial&) {}
  /// sweep.json and sweep.csv are written by then.
  virtual void on_trial_finished(const TrialResult&, const SweepTable&) {}
  /// A trial the run history could not record (the sweep goes on).
  virtual void on_warning(const std::string&) {}
};

/// The one path of a sweep, for the CLI and the window. Each trial trains its
/// seeds' transfer jobs; each seed's twin is trained once per distinct twin
/// config and shared by every trial with that twin (stored in DIR/twins/).
/// Resumes DIR's sweep when DIR/sweep.json exists for the same spec and
/// config (finished trials are not re-run); throws ConfigError when DIR holds
/// another sweep. A cancel stops between batches; the trial it stopped is not
/// finished and is re-run on resume.
SweepTable run_sweep(const SweepRequest& request, SweepObserver& observer, RunControl& control);

/// The sweep directory for a config with no --out: "runs/sweep-<name>-<time>".
std::string default_sweep_dir(const ExperimentConfig& config);

}  // namespace tl
