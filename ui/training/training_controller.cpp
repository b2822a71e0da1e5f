#include "training/training_controller.h"

#include "data/idx_reader.h"
#include "experiment/baseline.h"
#include "experiment/comparison_record.h"
#include "experiment/experiment.h"
#include "history/run_recording.h"
#include "experiment/model_export.h"
#include "experiment/experiment_config.h"
#include "experiment/run_resume.h"
#include "train/trainer.h"
#include "weights/checkpoint.h"
#include "util/bounded_json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace tl {
namespace {

using State = TrainingController::State;

State state_of(RunStatus status) {
  switch (status) {
    case RunStatus::Finished: return State::Finished;
    case RunStatus::Cancelled: return State::Cancelled;
    case RunStatus::Failed: return State::Failed;
    case RunStatus::Diverged: return State::Failed;  // the message says why and what to try
  }
  return State::Failed;
}

/// "<runs>/<name>-<yyyyMMdd-HHmmss>", made unique with a suffix when two runs
/// start within the same second.
QString new_run_dir(const QString& runs, const QString& name) {
  QString safe = name;
  safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
  if (safe.isEmpty()) safe = QStringLiteral("run");
  const QString base =
      QDir(runs).filePath(safe + QLatin1Char('-') + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  QString dir = base;
  for (int i = 2; QFileInfo::exists(dir); ++i) dir = base + QLatin1Char('-') + QString::number(i);
  return dir;
}

/// The record of a run. Only a finished run is evaluated on the test set: a
/// stopped model is half-trained, so its test accuracy says little, and
/// evaluating it would keep Stop waiting for seconds (the issue wants < 1 s).
RunRecord record_of(const PreparedExperiment& prepared, const TrainingOutcome& outcome) {
  if (outcome.status == RunStatus::Finished) return make_run_record(prepared, outcome);
  TrainingOutcome withoutModel = outcome;
  withoutModel.model = TransferModel(nullptr);
  RunRecord record = make_run_record(prepared, withoutModel);
  if (outcome.model) record.layers = layer_drift(*outcome.model, prepared.initial_state);
  return record;
}

QString run_summary(const PreparedExperiment& p) {
  return QStringLiteral("%1: %2, %3 training / %4 validation / %5 test images, %6")
      .arg(QString::fromStdString(p.config.name), QString::fromStdString(p.model->architecture()))
      .arg(p.data.train.size())
      .arg(p.data.validation.size())
      .arg(p.data.test.size())
      .arg(QString::fromStdString(strategy_name(p.config.resolved_strategy().strategy)));
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The target's class names in label order, as the per-class gaps are; "class
/// i" where merges make the names ambiguous.
QStringList class_names_of(const DataConfig& target, size_t count) {
  const auto names = fashion_mnist_class_names();
  std::vector<int64_t> classes = target.classes;
  if (classes.empty()) {
    for (size_t c = 0; c < names.size(); ++c) classes.push_back(static_cast<int64_t>(c));
  }
  QStringList result;
  for (size_t i = 0; i < count; ++i) {
    const bool named = classes.size() == count && classes[i] >= 0 && static_cast<size_t>(classes[i]) < names.size();
    result << (named ? QString::fromStdString(names[static_cast<size_t>(classes[i])])
                     : QStringLiteral("class %1").arg(i));
  }
  return result;
}

/// Mean test accuracy of the finished runs picked by `pick` (nullptr = none).
double mean_test_accuracy(const Comparison& c, const std::function<const RunRecord*(const SeedRuns&)>& pick) {
  std::vector<double> values;
  for (const auto& s : c.runs) {
    const RunRecord* r = pick(s);
    if (r && r->status == RunStatus::Finished) values.push_back(r->test_accuracy);
  }
  return mean_std(values).mean;
}

VerdictSummary summary_of(const Comparison& c, const ExperimentConfig& config) {
  const Verdict& v = *c.verdict;
  VerdictSummary s;
  s.label = QString::fromStdString(v.label);
  s.sentence = QString::fromStdString(v.sentence());
  s.twinName = QString::fromStdString(twin_name(c.twin));
  s.transferMean = mean_test_accuracy(c, [](const SeedRuns& r) { return &r.transfer; });
  s.baselineMean = mean_test_accuracy(c, [](const SeedRuns& r) { return r.baseline ? &*r.baseline : nullptr; });
  s.seeds = static_cast<int>(v.seeds);
  s.perClassGap = QVector<double>(v.per_class.begin(), v.per_class.end());
  s.classNames = class_names_of(config.target, v.per_class.size());
  return s;
}

/// The worst outcome among the comparison's runs, with its message.
std::pair<State, QString> comparison_status(const Comparison& c) {
  State status = State::Finished;
  QString message;
  for (const auto& s : c.runs) {
    for (const RunRecord* r : {&s.transfer, s.baseline ? &*s.baseline : nullptr}) {
      if (!r || r->status == RunStatus::Finished) continue;
      if (r->status == RunStatus::Failed || status == State::Finished) {
        status = state_of(r->status);
        message = QString::fromStdString(r->message);
      }
    }
  }
  return {status, message};
}

}  // namespace

struct TrainingController::Impl : TrainingListener {
  explicit Impl(TrainingController* owner) : owner(owner) {}

  TrainingController* owner;
  State state = State::Idle;
  QString runsDirectory;
  QString lastRunDir;
  QString lastMessage;

  // Shared with the worker thread.
  std::thread worker;
  std::atomic<bool> cancelRequested{false};
  std::atomic<int> generation{0};  ///< events of an earlier run are dropped
  std::mutex trainerMutex;
  Trainer* trainer = nullptr;  ///< valid while the worker holds trainerMutex-guarded ownership
  RunOptions options;          ///< set before the worker starts, read-only while it runs
  bool resuming = false;       ///< continue the run directory's checkpoint; as `options`
  std::atomic<int64_t> batchesPerEpoch{0};  ///< of the last batch event, to place run events

  // Per job; written by the worker thread while no trainer runs, read by the
  // trainer thread in on_epoch (Trainer::start orders the two).
  TransferModel driftModel{nullptr};  ///< the transfer run's model; null for twins
  const std::map<std::string, torch::Tensor>* driftBefore = nullptr;
  bool reportDiagnostics = true;  ///< false for twins: the DANN panel shows the transfer run
  std::map<std::string, torch::Tensor> jobInitialState;  ///< a comparison job's starting weights
  // Worker thread only.
  int jobIndex = 0;

  /// Runs `f` on the GUI thread, unless the run it belongs to is over.
  template <typename F>
  void post(F f) {
    const int gen = generation.load();
    QMetaObject::invokeMethod(
        owner, [this, gen, f = std::move(f)] {
          if (gen == generation.load()) f();
        },
        Qt::QueuedConnection);
  }

  // TrainingListener: called on the training thread.
  void on_batch(const BatchEvent& e) override {
    batchesPerEpoch = e.batches_per_epoch;
    post([this, e] {
      Q_EMIT owner->batchTrained(e.epoch, static_cast<int>(e.batch), static_cast<int>(e.batches_per_epoch), e.loss,
                                 e.progress, e.eta_seconds);
    });
  }
  void on_epoch(const EpochEvent& e) override {
    post([this, e] {
      Q_EMIT owner->epochFinished(e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy, e.seconds);
    });
    if (reportDiagnostics && (e.domain_accuracy >= 0.0 || e.lambda >= 0.0 || !e.warning.empty())) {
      const QString warning = QString::fromStdString(e.warning);
      post([this, e, warning] { Q_EMIT owner->epochDiagnostics(e.epoch, e.domain_accuracy, e.lambda, warning); });
    }
    postDrift();
  }
  /// The listener runs on the training thread between two batches, so the
  /// model is not changing while it is read; only plain values cross over.
  void postDrift() {
    if (!driftModel || !driftBefore) return;
    QStringList paths;
    QVector<double> drift;
    for (const LayerRecord& layer : layer_drift(*driftModel, *driftBefore)) {
      paths << QString::fromStdString(layer.path);
      drift << (layer.trainable ? layer.drift : 0.0);
    }
    post([this, paths, drift] { Q_EMIT owner->layerDriftChanged(paths, drift); });
  }
  void on_run_event(const RunEvent& e) override {
    const QString kind = QString::fromStdString(e.kind), details = QString::fromStdString(e.details);
    const int64_t perEpoch = e.batches_per_epoch > 0 ? e.batches_per_epoch : batchesPerEpoch.load();
    const double position = (e.epoch - 1) + (perEpoch > 0 ? static_cast<double>(e.batch) / perEpoch : 0.0);
    post([this, position, kind, details] { Q_EMIT owner->runEvent(position, kind, details); });
  }
  void on_paused(bool paused) override {
    post([this, paused] {
      if (state == State::Training || state == State::Paused) owner->setState(paused ? State::Paused : State::Training);
    });
  }

  void runWorker(const std::string& configJson, const QString& runDir);
  void runSingle(const ExperimentConfig& config, const QString& runDir);
  void runComparison(const ExperimentConfig& config, const QString& runDir);
  /// Adds the run to the run history; a failure only warns (historyWarning).
  void recordInHistory(const HistoryRun& run);
  TrainingOutcome trainComparisonJob(TrainingJob job, const std::string& label, const ExperimentConfig& config);
  TrainingOutcome train(TrainingJob job);
  void withTrainer(void (Trainer::*action)()) {
    std::lock_guard<std::mutex> lock(trainerMutex);
    if (trainer) (trainer->*action)();
  }
  void cancelAndJoin() {
    cancelRequested = true;
    withTrainer(&Trainer::cancel);
    if (worker.joinable()) worker.join();
  }
};

TrainingOutcome TrainingController::Impl::train(TrainingJob job) {
  Trainer local(std::move(job), this);
  {
    std::lock_guard<std::mutex> lock(trainerMutex);
    trainer = &local;
  }
  // A stop() that came while preparing found no trainer to cancel.
  if (cancelRequested) local.cancel();
  local.start();
  TrainingOutcome outcome = local.wait();
  std::lock_guard<std::mutex> lock(trainerMutex);
  trainer = nullptr;
  return outcome;
}

/// The worker thread: parse → prepare → train → record. Every exception ends
/// here and becomes a Failed run; nothing escapes the thread.
void TrainingController::Impl::runWorker(const std::string& configJson, const QString& runDir) {
  try {
    const ExperimentConfig config = config_from_json(parse_bounded_json(configJson));
    // Thread count is per thread; data preparation runs tensor ops here too.
    torch::set_num_threads(training_thread_count(config.training.threads));
    if (options.isComparison()) runComparison(config, runDir);
    else runSingle(config, runDir);
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    post([this, message] { owner->finishRun(State::Failed, message, 0.0, {}); });
  }
}

void TrainingController::Impl::recordInHistory(const HistoryRun& run) {
  std::string warning;
  if (record_in_history(run, &warning)) return;
  const QString text = QString::fromStdString(warning);
  post([this, text] { Q_EMIT owner->historyWarning(text); });
}

void TrainingController::Impl::runSingle(const ExperimentConfig& config, const QString& runDir) {
  const PreparedExperiment prepared = prepare_experiment(config);
  if (cancelRequested) {
    post([this] { owner->finishRun(State::Cancelled, QStringLiteral("stopped before training began"), 0.0, {}); });
    return;
  }
  const QString name = QString::fromStdString(config.name);
  const QString summary = run_summary(prepared);
  const int epochs = config.training.epochs;
  post([this, name, epochs, summary] {
    if (state == State::Preparing) owner->setState(State::Training);
    Q_EMIT owner->runStarted(name, epochs, summary);
  });
  driftModel = prepared.model;
  driftBefore = &prepared.initial_state;
  // Checkpoints and the event log go to the run directory, with the config
  // written first, so a run cut short (window closed, crash) can continue.
  TrainingJob job = make_training_job(prepared);
  job.run_dir = runDir.toStdString();
  job.resume = resuming;
  if (!resuming) write_run_config(config, job.run_dir);
  const TrainingOutcome outcome = train(std::move(job));
  driftModel = TransferModel(nullptr);
  driftBefore = nullptr;
  if (outcome.status == RunStatus::Finished) post([this] { Q_EMIT owner->evaluating(); });
  const RunRecord record = record_of(prepared, outcome);
  write_run(record, runDir.toStdString());
  // As `transferlab-cli run`: a finished run leaves its model beside run.json.
  if (outcome.status == RunStatus::Finished && can_export_model(prepared)) {
    write_model_export(export_model(prepared, *outcome.model, record), runDir.toStdString());
  }
  recordInHistory(history_run_from(record, runDir.toStdString(), "gui"));
  const State status = state_of(outcome.status);
  const QString message = QString::fromStdString(outcome.message);
  const double testAccuracy = record.test_accuracy;
  post([this, status, message, testAccuracy, runDir] { owner->finishRun(status, message, testAccuracy, runDir); });
}

/// Core's run_comparison drives the seeds and twins; each of its jobs comes
/// back through trainComparisonJob, so pause, stop and the live signals work
/// as for a single run. The record is written as the CLI writes it.
void TrainingController::Impl::runComparison(const ExperimentConfig& config, const QString& runDir) {
  if (options.twin) twin_config(config);  // no pretrained model: fail before any training
  jobIndex = 0;
  const TrainFunction train = [this, &config](TrainingJob job, const std::string& label) {
    return trainComparisonJob(std::move(job), label, config);
  };
  const Comparison comparison = run_comparison(config, options.seeds, options.twin, train);
  write_comparison(comparison, runDir.toStdString());
  recordInHistory(history_run_from(comparison, runDir.toStdString(), "gui"));
  if (comparison.verdict) {
    const VerdictSummary summary = summary_of(comparison, config);
    post([this, summary] { Q_EMIT owner->comparisonFinished(summary); });
  }
  const auto [status, message] = comparison_status(comparison);
  const double testAccuracy = mean_test_accuracy(comparison, [](const SeedRuns& r) { return &r.transfer; });
  post([this, status = status, message = message, testAccuracy, runDir] {
    owner->finishRun(status, message, testAccuracy, runDir);
  });
}

TrainingOutcome TrainingController::Impl::trainComparisonJob(TrainingJob job, const std::string& label,
                                                             const ExperimentConfig& config) {
  const int index = jobIndex++;
  const int jobs = options.seeds * (options.twin ? 2 : 1);
  // Only the transfer run's model is the one the layer tree shows.
  if (ends_with(label, "transfer")) {
    jobInitialState = state_dict(*job.model);
    for (auto& [name, tensor] : jobInitialState) tensor = tensor.clone();
    driftModel = job.model;
    driftBefore = &jobInitialState;
    reportDiagnostics = true;
  } else {
    driftModel = TransferModel(nullptr);
    driftBefore = nullptr;
    reportDiagnostics = false;
  }
  if (index == 0) {
    const QString name = QString::fromStdString(config.name);
    const int epochs = config.training.epochs;
    const QString summary = QStringLiteral("%1: %2 run(s), %3 seed(s)%4")
                                .arg(name)
                                .arg(jobs)
                                .arg(options.seeds)
                                .arg(options.twin ? QStringLiteral(", each with its twin") : QString());
    post([this, name, epochs, summary] {
      if (state == State::Preparing) owner->setState(State::Training);
      Q_EMIT owner->runStarted(name, epochs, summary);
    });
  }
  const QString qlabel = QString::fromStdString(label);
  post([this, qlabel, index, jobs] { Q_EMIT owner->jobStarted(qlabel, index, jobs); });
  TrainingOutcome outcome = train(std::move(job));
  driftModel = TransferModel(nullptr);
  driftBefore = nullptr;
  reportDiagnostics = true;
  // As record_of: a stopped model is not evaluated, so Stop stays quick.
  if (outcome.status == RunStatus::Cancelled) outcome.model = TransferModel(nullptr);
  return outcome;
}

TrainingController::TrainingController(QObject* parent) : QObject(parent), d(std::make_unique<Impl>(this)) {
  d->runsDirectory =
      QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("runs"));
}

TrainingController::~TrainingController() { d->cancelAndJoin(); }

TrainingController::State TrainingController::state() const { return d->state; }
bool TrainingController::isBusy() const { return isBusyState(d->state); }

bool TrainingController::isBusyState(State state) {
  return state == State::Preparing || state == State::Training || state == State::Paused || state == State::Stopping;
}

QString TrainingController::stateName(State state) {
  switch (state) {
    case State::Idle: return QStringLiteral("idle");
    case State::Preparing: return QStringLiteral("preparing");
    case State::Training: return QStringLiteral("training");
    case State::Paused: return QStringLiteral("paused");
    case State::Stopping: return QStringLiteral("stopping");
    case State::Finished: return QStringLiteral("finished");
    case State::Cancelled: return QStringLiteral("cancelled");
    case State::Failed: return QStringLiteral("failed");
  }
  return {};
}

void TrainingController::setRunsDirectory(const QString& directory) { d->runsDirectory = directory; }
QString TrainingController::runsDirectory() const { return d->runsDirectory; }
QString TrainingController::lastRunDir() const { return d->lastRunDir; }
QString TrainingController::lastMessage() const { return d->lastMessage; }

RunOptions TrainingController::runOptions() const { return d->options; }

namespace {
// The last single run started from the GUI, offered for resuming at start.
const char* const kLastRunDirKey = "training/lastRunDir";
}  // namespace

bool TrainingController::startFromConfigJson(const QByteArray& configJson, const RunOptions& options) {
  if (isBusy()) return false;
  QString name = QStringLiteral("run");
  try {
    name = QString::fromStdString(nlohmann::json::parse(configJson.toStdString()).value("name", "run"));
  } catch (const std::exception&) {
    // The worker reports the parse error with its position.
  }
  const QString runDir = new_run_dir(d->runsDirectory, name);
  if (!options.isComparison()) QSettings().setValue(QString::fromLatin1(kLastRunDirKey), runDir);
  return launch(configJson, options, runDir, /*resuming=*/false);
}

bool TrainingController::resumeRun(const QString& runDir) {
  if (isBusy() || !run_can_resume(runDir.toStdString())) return false;
  QFile file(QString::fromStdString(run_config_path(runDir.toStdString())));
  if (!file.open(QIODevice::ReadOnly)) return false;
  return launch(file.readAll(), RunOptions{}, runDir, /*resuming=*/true);
}

bool TrainingController::updatePausedRun(const QByteArray& configJson, QString* error) {
  const auto fail = [error](const QString& message) {
    if (error) *error = message;
    return false;
  };
  if (d->state != State::Paused || d->options.isComparison()) return fail(tr("no single run is paused"));
  try {
    const ExperimentConfig config = config_from_json(parse_bounded_json(configJson.toStdString()));
    std::lock_guard<std::mutex> lock(d->trainerMutex);
    // The training thread is parked: reading the model's layout is safe.
    if (!d->trainer || !d->driftModel) return fail(tr("no single run is paused"));
    d->trainer->update({freeze_plan_for(config, *d->driftModel), config.training.learning_rate});
  } catch (const std::exception& e) {
    return fail(QString::fromStdString(e.what()));
  }
  return true;
}

QString TrainingController::unfinishedRunDir() const {
  const QString dir = QSettings().value(QString::fromLatin1(kLastRunDirKey)).toString();
  return !dir.isEmpty() && run_can_resume(dir.toStdString()) ? dir : QString();
}

bool TrainingController::launch(const QByteArray& configJson, const RunOptions& options, const QString& runDir,
                                bool resuming) {
  // The previous worker has posted its last event; joining is immediate.
  if (d->worker.joinable()) d->worker.join();
  d->generation++;
  d->cancelRequested = false;
  d->lastMessage.clear();
  d->options = options;
  d->options.seeds = std::max(1, options.seeds);
  d->resuming = resuming;
  setState(State::Preparing);
  d->worker = std::thread([impl = d.get(), json = configJson.toStdString(), runDir] { impl->runWorker(json, runDir); });
  return true;
}

void TrainingController::pause() {
  if (d->state == State::Training) d->withTrainer(&Trainer::pause);
}

void TrainingController::resume() {
  if (d->state == State::Paused) d->withTrainer(&Trainer::resume);
}

void TrainingController::togglePause() { d->state == State::Paused ? resume() : pause(); }

void TrainingController::stop() {
  if (!isBusy() || d->state == State::Stopping) return;
  d->cancelRequested = true;
  d->withTrainer(&Trainer::cancel);
  setState(State::Stopping);
}

void TrainingController::stopAndWait() {
  if (!d->worker.joinable()) return;
  if (isBusy() && d->state != State::Stopping) setState(State::Stopping);
  d->cancelAndJoin();
  // The worker's last events are queued; deliver them now so the final state
  // and runFinished are known when this returns.
  QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void TrainingController::setState(State state) {
  if (d->state == state) return;
  d->state = state;
  Q_EMIT stateChanged(state);
}

void TrainingController::finishRun(State status, const QString& message, double testAccuracy, const QString& runDir) {
  if (d->worker.joinable()) d->worker.join();
  if (!runDir.isEmpty()) d->lastRunDir = runDir;
  d->lastMessage = message;
  setState(status);
  Q_EMIT runFinished(status, message, testAccuracy);
}

}  // namespace tl
