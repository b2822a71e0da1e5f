#pragma once

#include "experiment/baseline.h"
#include "experiment/experiment_config.h"
#include "experiment/job_identity.h"
#include "experiment/run_record.h"
#include "history/run_recording.h"
#include "run/run_control.h"
#include "train/training_events.h"

#include <string>
#include <vector>

namespace tl {

/// What to run and where its files go.
struct RunRequest {
  ExperimentConfig config;
  /// Created if missing. Gets config.json, run.json, metrics.csv, the
  /// exported model and, for a single run, checkpoints and events.jsonl.
  std::string run_dir;
  /// One seed without a twin is a single run; anything else a comparison
  /// (run_comparison): each seed's transfer run and, with twin, its twin.
  RunRepetition repetition;
  /// A single run only: continue run_dir's checkpoint. `config` must be the
  /// one the run started with (read_run_config(run_dir); see resume_request).
  bool resume = false;
  std::string origin = "cli";  ///< who ran it, for the run history: "cli" or "gui"
  std::string history_path;    ///< the run history's database; "" = default_history_path()
};

/// The request that continues the stopped run in `run_dir` with the config it
/// started with. Throws naming the path when DIR/config.json cannot be read.
RunRequest resume_request(const std::string& run_dir, const std::string& origin);

/// What a run is about to train, once its data and model are ready.
struct RunStart {
  std::string name;
  int epochs = 0;  ///< per job
  int jobs = 1;
  /// One line for a status bar or a terminal: for a single run
  /// "NAME: small_cnn, 100 training / 40 validation / 500 test images,
  /// strategy partial_fine_tuning"; for a comparison "NAME: 6 run(s), 3
  /// seed(s), each with its twin".
  std::string summary;
};

/// What a front end hears of a run: the trainer's events of every job (the
/// TrainingListener part) and the steps around them. Every call comes on the
/// thread that runs run_experiment; the defaults do nothing.
class RunObserver : public TrainingListener {
 public:
  /// Once, when the data and model are ready and the first job starts.
  virtual void on_run_started(const RunStart&) {}
  /// Before each job trains; the trainer's events until the next call are its.
  virtual void on_job_started(const JobIdentity&) {}
  /// Whether to compute on_layer_drift (it reads every parameter after each epoch).
  virtual bool wants_layer_drift() const { return false; }
  /// After every epoch of a transfer job (not of a twin): how far each layer
  /// with parameters has moved from its starting weights.
  virtual void on_layer_drift(const std::vector<LayerRecord>&) {}
  /// A finished job is being evaluated on the test split (may take seconds).
  virtual void on_evaluating(const JobIdentity&) {}
};

/// What a run produced. Its files are written by then.
struct RunResult {
  /// A single run is one seed without a twin. A comparison ends early at the
  /// first job that did not finish.
  Comparison comparison;
  bool single = true;            ///< the request was one seed without a twin
  RunStatus status = RunStatus::Finished;  ///< of the job that ended the run
  std::string message;           ///< why it stopped early; empty when finished
  bool twin_written = false;     ///< run_dir/twin holds the first seed's twin
  std::string history_warning;   ///< why the run history did not record it; empty when it did

  /// Mean test accuracy of the finished transfer runs; 0 when none finished.
  double transfer_test_accuracy() const;
};

/// The one path of a run, for the CLI and the window alike: prepare → write
/// config.json → train every job (through `control`, reporting to
/// `observer`) → evaluate (make_run_record's policy) → write run.json and
/// metrics.csv → export the model(s) → record in the run history.
/// Sets the calling thread's LibTorch thread count to the run's
/// (training.threads), so its numbers do not depend on the caller.
/// A single run cancelled before its first batch (while its data loaded)
/// writes nothing and returns Cancelled, "stopped before training began".
/// Throws ConfigError / std::runtime_error for a config that cannot be
/// prepared and for files that cannot be written; a job that fails while
/// training does not throw: its status and message are in the result.
RunResult run_experiment(const RunRequest& request, RunObserver& observer, RunControl& control);

}  // namespace tl
