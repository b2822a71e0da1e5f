#include "sweep/run_sweep.h"

#include "data/image_decoder.h"
#include "experiment/comparison_record.h"
#include "experiment/model_export.h"
#include "experiment/run_resume.h"
#include "util/atomic_file.h"
#include "util/bounded_json.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace tl {
namespace {

using json = nlohmann::json;

/// Passes one job's trainer events on to the observer.
class ForwardingListener : public TrainingListener {
 public:
  explicit ForwardingListener(RunObserver& observer) : observer_(observer) {}
  void on_batch(const BatchEvent& e) override { observer_.on_batch(e); }
  void on_epoch(const EpochEvent& e) override { observer_.on_epoch(e); }
  void on_paused(bool paused) override { observer_.on_paused(paused); }
  void on_run_event(const RunEvent& e) override { observer_.on_run_event(e); }
  void on_finished(const FinishedEvent& e) override { observer_.on_finished(e); }

 private:
  RunObserver& observer_;
};

bool finished(const RunRecord& r) { return r.status == RunStatus::Finished; }

RunStatus status_from_name(const std::string& name) {
  for (const auto s : {RunStatus::Finished, RunStatus::Cancelled, RunStatus::Failed, RunStatus::Diverged}) {
    if (run_status_name(s) == name) return s;
  }
  throw std::runtime_error("unknown run status \"" + name + "\"");
}

std::vector<double> numbers_or_empty(const json& j) {
  return j.is_array() ? j.get<std::vector<double>>() : std::vector<double>{};
}

/// A twin's record back from the run.json write_run wrote (its layers are not needed).
RunRecord record_from_run_json(const json& j) {
  RunRecord r;
  r.config = j.at("config");
  r.status = status_from_name(j.at("status").get<std::string>());
  r.message = j.value("message", std::string());
  r.seconds = j.at("seconds").get<double>();
  for (const auto& e : j.at("epochs")) r.epochs.push_back(epoch_event_from_json(e));
  const json& f = j.at("final");
  r.val_accuracy = f.at("val_accuracy").get<double>();
  r.test_accuracy = f.at("test_accuracy").is_number() ? f.at("test_accuracy").get<double>() : 0.0;
  r.test_per_class_accuracy = numbers_or_empty(f.at("test_per_class_accuracy"));
  return r;
}

/// What identifies a twin: its whole config but the name, so every trial
/// whose twin would train the same job shares one.
std::string twin_key(const ExperimentConfig& seeded) {
  json j = config_to_json(twin_config(seeded));
  j.erase("name");
  return j.dump();
}

/// The sweep's finished twins by key: DIR/twins/twin-NNN/ holds each one's
/// run.json and key.json (written last, so a twin cut short is not reused).
class TwinStore {
 public:
  explicit TwinStore(std::string dir) : dir_(std::move(dir)) { load(); }

  const RunRecord* find(const std::string& key) const {
    const auto it = twins_.find(key);
    return it == twins_.end() ? nullptr : &it->second;
  }

  const RunRecord& add(const std::string& key, RunRecord record) {
    char name[32];
    std::snprintf(name, sizeof name, "twin-%03zu", next_);
    ++next_;
    const std::string dir = (fs::path(dir_) / name).string();
    write_run(record, dir);
    write_file_atomically((fs::path(dir) / "key.json").string(), key);
    return twins_[key] = std::move(record);
  }

  size_t size() const { return twins_.size(); }

 private:
  void load() {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      ++next_;
      const fs::path key_file = entry.path() / "key.json";
      const json record = read_bounded_json_file_or_null((entry.path() / "run.json").string());
      std::ifstream in(key_file);
      if (!in || record.is_null()) continue;
      const std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        RunRecord r = record_from_run_json(record);
        if (finished(r)) twins_[key] = std::move(r);
      } catch (const std::exception&) {
        // An unreadable twin is trained again.
      }
    }
  }

  std::string dir_;
  size_t next_ = 0;
  std::map<std::string, RunRecord> twins_;
};

/// The base config as a sweep records it: without its sweep section.
ExperimentConfig without_sweep(ExperimentConfig config) {
  config.extra.erase("sweep");
  return config;
}

SweepTable fresh_table(const ExperimentConfig& base, const SweepSpec& spec, size_t trials) {
  SweepTable t;
  t.name = base.name;
  for (const auto& a : spec.axes) t.axes.push_back(a.field);
  t.total_trials = static_cast<int64_t>(trials);
  t.spec = sweep_spec_to_json(spec);
  t.base_config = config_to_json(base);
  return t;
}

/// DIR's table when it holds this sweep; a fresh one when it holds none.
SweepTable starting_table(const std::string& dir, const SweepTable& fresh) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "sweep.json", ec)) return fresh;
  SweepTable existing = read_sweep(dir);
  if (existing.spec != fresh.spec || existing.base_config != fresh.base_config) {
    throw ConfigError(dir + "/sweep.json: holds another sweep (a different sweep section or base config); use a "
                            "new output directory");
  }
  return existing;
}

std::string trial_dir(const std::string& dir, int index) {
  char name[32];
  std::snprintf(name, sizeof name, "trial-%03d", index);
  return (fs::path(dir) / name).string();
}

/// Everything one trial ran, as far as it got.
struct TrialRun {
  Comparison comparison;
  bool cancelled = false;  ///< stopped by the control: the trial is not finished
};

class SweepRunner {
 public:
  SweepRunner(const SweepRequest& request, SweepObserver& observer, RunControl& control)
      : request_(request), observer_(observer), control_(control),
        twins_((fs::path(request.dir) / "twins").string()) {}

  TrialRun run_trial(const SweepTrial& trial) {
    TrialRun run;
    run.comparison.twin = twin_kind(trial.config);
    const int seeds = static_cast<int>(request_.spec.seeds);
    const int jobs = seeds + twins_to_train(trial);
    observer_.on_run_started({trial.config.name, trial.config.training.epochs, jobs,
                              trial.config.name + ": " + std::to_string(jobs) + " run(s), " +
                                  std::to_string(seeds) + " seed(s), shared twins"});
    int index = 0;
    for (int i = 0; i < seeds; ++i) {
      const ExperimentConfig seeded = seeded_config(trial.config, i);
      const uint64_t seed = seeded.training.seed;
      std::optional<PreparedExperiment> transfer;
      try {
        transfer = prepare_experiment(seeded, DataLoadObserver{{}, &control_.cancel_flag()});
      } catch (const ImageDecodeCancelled&) {
      }
      if (!transfer || control_.cancelled()) {
        run.cancelled = true;
        return run;
      }
      const JobIdentity transfer_id{seed, JobRole::Transfer, index++, jobs, seeds};
      SeedRuns s{seed, train(*transfer, transfer_id), std::nullopt};
      if (i == 0 && finished(s.transfer) && can_export_model(*transfer)) {
        run.comparison.exported_model = export_model(*transfer, *transfer->model, s.transfer);
      }
      if (finished(s.transfer)) s.baseline = shared_twin(seeded, *transfer, seed, index, jobs, seeds);
      const bool complete = finished(s.transfer) && s.baseline && finished(*s.baseline);
      run.cancelled = control_.cancelled() && !complete;
      run.comparison.runs.push_back(std::move(s));
      if (!complete) return run;
    }
    std::vector<SeedPair> pairs;
    for (const auto& s : run.comparison.runs) {
      pairs.push_back({s.seed, s.transfer.test_accuracy, s.baseline->test_accuracy, s.transfer.test_per_class_accuracy,
                       s.baseline->test_per_class_accuracy});
    }
    run.comparison.verdict = judge_transfer(pairs, run.comparison.twin);
    return run;
  }

 private:
  ExperimentConfig seeded_config(const ExperimentConfig& config, int i) const {
    ExperimentConfig seeded = config;
    // As run_comparison seeds its runs, so a trial's jobs are `run --twin`'s.
    seeded.training.seed = seeded.target.seed = config.training.seed + static_cast<uint64_t>(i);
    return seeded;
  }

  int twins_to_train(const SweepTrial& trial) const {
    std::set<std::string> keys;
    for (int i = 0; i < request_.spec.seeds; ++i) {
      const std::string key = twin_key(seeded_config(trial.config, i));
      if (!twins_.find(key)) keys.insert(key);
    }
    return static_cast<int>(keys.size());
  }

  RunRecord train(const PreparedExperiment& prepared, const JobIdentity& id) {
    observer_.on_job_started(id);
    ForwardingListener listener(observer_);
    const TrainingOutcome outcome = control_.train(make_training_job(prepared), &listener);
    if (outcome.status == RunStatus::Finished) observer_.on_evaluating(id);
    return make_run_record(prepared, outcome);
  }

  /// The seed's twin: trained on the transfer run's tensors the first time
  /// its key comes up, as run_comparison trains it, then read from the store.
  std::optional<RunRecord> shared_twin(const ExperimentConfig& seeded, const PreparedExperiment& transfer,
                                       uint64_t seed, int& index, int jobs, int seeds) {
    const std::string key = twin_key(seeded);
    if (const RunRecord* known = twins_.find(key)) return *known;
    const PreparedExperiment twin = prepare_twin(transfer);
    RunRecord record = train(twin, {seed, twin_role(twin_kind(seeded)), index++, jobs, seeds});
    if (!finished(record)) return record;
    return twins_.add(key, std::move(record));
  }

  const SweepRequest& request_;
  SweepObserver& observer_;
  RunControl& control_;
  TwinStore twins_;
};

TrialResult trial_result(const SweepTrial& trial, const Comparison& c, const std::string& dir) {
  TrialResult r;
  r.index = trial.index;
  r.values = trial.values;
  r.status = "finished";
  r.run_dir = dir;
  for (const auto& s : c.runs) {
    r.seeds.push_back(s.seed);
    r.seconds += s.transfer.seconds;
    for (const RunRecord* rec : {&s.transfer, s.baseline ? &*s.baseline : nullptr}) {
      if (rec && !finished(*rec) && r.status == "finished") r.status = run_status_name(rec->status);
    }
    if (finished(s.transfer)) r.accuracy.push_back(s.transfer.test_accuracy);
    if (s.baseline && finished(*s.baseline)) r.twin_accuracy.push_back(s.baseline->test_accuracy);
  }
  const MeanStd transfer = mean_std(r.accuracy);
  const MeanStd twin = mean_std(r.twin_accuracy);
  r.mean = transfer.mean;
  r.std = transfer.std;
  r.twin_mean = twin.mean;
  r.twin_std = twin.std;
  r.gain = 100.0 * (r.mean - r.twin_mean);
  if (c.verdict) r.verdict = verdict_label_name(c.verdict->label);
  return r;
}

/// The trial's history row, grouped under the sweep; its time is its own
/// transfer jobs' (the shared twins' belong to no one trial).
void record_trial(const SweepRequest& request, const Comparison& c, const TrialResult& result,
                  SweepObserver& observer) {
  HistoryRun row = history_run_from(c, result.run_dir, request.origin);
  // Absolute, so the trials of one sweep group together whichever directory the CLI ran in.
  row.sweep = fs::absolute(request.dir).lexically_normal().string();
  row.seconds = result.seconds;
  std::string warning;
  if (!record_in_history(row, &warning, request.history_path)) observer.on_warning(warning);
}

}  // namespace

std::string default_sweep_dir(const ExperimentConfig& config) {
  return (fs::path("runs") / (config.name + "-sweep")).string();
}

SweepTable run_sweep(const SweepRequest& request, SweepObserver& observer, RunControl& control) {
  torch::set_num_threads(training_thread_count(request.config.training.threads));
  const ExperimentConfig base = without_sweep(request.config);
  const std::vector<SweepTrial> trials = sweep_trials(base, request.spec);
  twin_config(base);  // every trial is judged against a twin: a config without one fails before any training
  std::error_code ec;
  fs::create_directories(request.dir, ec);
  if (ec) throw std::runtime_error(request.dir + ": cannot create the output directory (" + ec.message() + ")");
  SweepTable table = starting_table(request.dir, fresh_table(base, request.spec, trials.size()));
  std::set<int> done;
  for (const auto& t : table.trials) done.insert(t.index);
  write_sweep(table, request.dir);
  observer.on_sweep_started(table);
  SweepRunner runner(request, observer, control);
  for (const SweepTrial& trial : trials) {
    if (done.count(trial.index)) continue;
    if (control.cancelled()) break;
    observer.on_trial_started(trial);
    const std::string dir = trial_dir(request.dir, trial.index);
    TrialRun run = runner.run_trial(trial);
    if (run.cancelled || run.comparison.runs.empty()) break;  // not finished: a resume runs it again
    write_run_config(trial.config, dir);
    write_comparison(run.comparison, dir);
    TrialResult result = trial_result(trial, run.comparison, dir);
    record_trial(request, run.comparison, result, observer);
    table.trials.push_back(result);
    write_sweep(table, request.dir);
    observer.on_trial_finished(table.trials.back(), table);
  }
  return table;
}

}  // namespace tl
