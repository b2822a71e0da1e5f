#include "run/run_experiment.h"

#include "data/image_decoder.h"
#include "experiment/comparison_record.h"
#include "experiment/model_export.h"
#include "experiment/run_resume.h"

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <optional>

namespace tl {
namespace {

/// One job's trainer events, passed on to the observer, with the layer drift
/// after each epoch of a transfer job when the observer wants it.
class JobListener : public TrainingListener {
 public:
  JobListener(RunObserver& observer, TransferModel model, const std::map<std::string, torch::Tensor>* before)
      : observer_(observer), model_(std::move(model)), before_(before) {}

  void on_batch(const BatchEvent& e) override { observer_.on_batch(e); }
  void on_paused(bool paused) override { observer_.on_paused(paused); }
  void on_run_event(const RunEvent& e) override { observer_.on_run_event(e); }
  void on_finished(const FinishedEvent& e) override { observer_.on_finished(e); }
  void on_epoch(const EpochEvent& e) override {
    observer_.on_epoch(e);
    // Called between two batches on the training thread: the weights are still.
    if (before_) observer_.on_layer_drift(layer_drift(*model_, *before_));
  }

 private:
  RunObserver& observer_;
  TransferModel model_;
  const std::map<std::string, torch::Tensor>* before_;  ///< null: no drift reported
};

std::string describe_single(const PreparedExperiment& p) {
  return p.config.name + ": " + p.model->architecture() + ", " + std::to_string(p.data.train.size()) +
         " training / " + std::to_string(p.data.validation.size()) + " validation / " +
         std::to_string(p.data.test.size()) + " test images, strategy " +
         strategy_name(p.config.resolved_strategy().strategy);
}

std::string describe_comparison(const ExperimentConfig& config, const RunRepetition& r) {
  const int jobs = r.seeds * (r.twin ? 2 : 1);
  return config.name + ": " + std::to_string(jobs) + " run(s), " + std::to_string(r.seeds) + " seed(s)" +
         (r.twin ? ", each with its twin" : "");
}

/// The status and message of the job that ended the run (a comparison stops
/// at the first job that did not finish).
void set_ending(RunResult& result) {
  const SeedRuns& last = result.comparison.runs.back();
  for (const RunRecord* r : {&last.transfer, last.baseline ? &*last.baseline : nullptr}) {
    if (r && r->status != RunStatus::Finished) {
      result.status = r->status;
      result.message = r->message;
      return;
    }
  }
}

void record_history(const RunRequest& request, RunResult& result) {
  const HistoryRun row = result.single
                             ? history_run_from(result.comparison.runs.front().transfer, request.run_dir, request.origin)
                             : history_run_from(result.comparison, request.run_dir, request.origin);
  record_in_history(row, &result.history_warning, request.history_path);
}

RunResult run_single(const RunRequest& request, RunObserver& observer, RunControl& control) {
  RunResult result;
  std::optional<PreparedExperiment> prepared;
  try {
    prepared = prepare_experiment(request.config, DataLoadObserver{{}, &control.cancel_flag()});
  } catch (const ImageDecodeCancelled&) {
  }
  if (!prepared || control.cancelled()) {
    result.status = RunStatus::Cancelled;
    result.message = "stopped before training began";
    return result;
  }
  observer.on_run_started({request.config.name, request.config.training.epochs, 1, describe_single(*prepared)});
  if (!request.resume) write_run_config(request.config, request.run_dir);
  // Checkpoints and the event log go to the run directory, so a run cut
  // short (Ctrl-C, a closed window, a crash) can continue.
  TrainingJob job = make_training_job(*prepared);
  job.run_dir = request.run_dir;
  job.resume = request.resume;
  const JobIdentity id{request.config.training.seed, JobRole::Transfer, 0, 1};
  observer.on_job_started(id);
  JobListener listener(observer, prepared->model, observer.wants_layer_drift() ? &prepared->initial_state : nullptr);
  const TrainingOutcome outcome = control.train(std::move(job), &listener);
  if (outcome.status == RunStatus::Finished) observer.on_evaluating(id);
  RunRecord record = make_run_record(*prepared, outcome);
  write_run(record, request.run_dir);
  if (outcome.status == RunStatus::Finished && can_export_model(*prepared)) {
    result.comparison.exported_model = export_model(*prepared, *outcome.model, record);
    write_model_export(*result.comparison.exported_model, request.run_dir);
  }
  result.comparison.twin = twin_kind(request.config);
  result.comparison.runs.push_back({request.config.training.seed, std::move(record), std::nullopt});
  return result;
}

RunResult run_seeds(const RunRequest& request, RunObserver& observer, RunControl& control) {
  const RunRepetition& repetition = request.repetition;
  if (repetition.twin) twin_config(request.config);  // no pretrained model: fail before any training
  write_run_config(request.config, request.run_dir);
  bool started = false;
  const TrainFunction train = [&](TrainingJob job, const JobIdentity& id) {
    if (!started) {
      observer.on_run_started({request.config.name, request.config.training.epochs, id.count,
                               describe_comparison(request.config, repetition)});
      started = true;
    }
    observer.on_job_started(id);
    // Only a transfer run's drift is shown; a twin starts from other weights.
    std::map<std::string, torch::Tensor> before;
    const bool drift = observer.wants_layer_drift() && !id.is_twin();
    if (drift) before = cloned_state(*job.model);
    JobListener listener(observer, job.model, drift ? &before : nullptr);
    TrainingOutcome outcome = control.train(std::move(job), &listener);
    if (outcome.status == RunStatus::Finished) observer.on_evaluating(id);
    return outcome;
  };
  RunResult result;
  result.single = false;
  result.comparison = run_comparison(request.config, repetition.seeds, repetition.twin, train);
  result.twin_written = write_comparison(result.comparison, request.run_dir);
  return result;
}

}  // namespace

RunRequest resume_request(const std::string& run_dir, const std::string& origin) {
  RunRequest request;
  request.config = read_run_config(run_dir);
  request.run_dir = run_dir;
  request.resume = true;
  request.origin = origin;
  return request;
}

double RunResult::transfer_test_accuracy() const {
  std::vector<double> values;
  for (const SeedRuns& s : comparison.runs) {
    if (s.transfer.status == RunStatus::Finished) values.push_back(s.transfer.test_accuracy);
  }
  return mean_std(values).mean;
}

RunResult run_experiment(const RunRequest& request, RunObserver& observer, RunControl& control) {
  if (request.resume && !(request.repetition == RunRepetition{})) {
    throw ConfigError("resume: only a single run (one seed, no twin) keeps checkpoints to resume from");
  }
  // Preparing, evaluating and measuring drift run tensor ops on this thread;
  // with the run's thread count they round as the run does, whichever front
  // end calls (the count is per thread).
  torch::set_num_threads(training_thread_count(request.config.training.threads));
  std::error_code ec;
  std::filesystem::create_directories(request.run_dir, ec);
  if (ec) throw std::runtime_error(request.run_dir + ": cannot create the output directory (" + ec.message() + ")");
  const bool single = request.repetition == RunRepetition{};
  RunResult result = single ? run_single(request, observer, control) : run_seeds(request, observer, control);
  if (result.comparison.runs.empty()) return result;  // stopped before training began
  set_ending(result);
  record_history(request, result);
  return result;
}

}  // namespace tl
