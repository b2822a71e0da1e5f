#include "training/training_controller.h"

#include "data/idx_reader.h"
#include "experiment/baseline.h"
#include "experiment/experiment_config.h"
#include "experiment/run_resume.h"
#include "run/run_experiment.h"
#include "tasks/background_task.h"
#include "util/bounded_json.h"
#include "util/run_directory.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

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

/// The target's class names in label order, as the per-class gaps are; "class
/// i" where merges make the names ambiguous.
QStringList class_names_of(const DataConfig& target, size_t count) {
  const auto names = fashion_mnist_class_names();
  const std::vector<int64_t> classes = target.selected_classes();
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
  s.label = v.label;
  s.sentence = QString::fromStdString(v.sentence());
  s.twinName = QString::fromStdString(twin_name(c.twin));
  s.transferMean = mean_test_accuracy(c, [](const SeedRuns& r) { return &r.transfer; });
  s.baselineMean = mean_test_accuracy(c, [](const SeedRuns& r) { return r.baseline ? &*r.baseline : nullptr; });
  s.seeds = static_cast<int>(v.seeds);
  s.perClassGap = QVector<double>(v.per_class.begin(), v.per_class.end());
  s.classNames = class_names_of(config.target, v.per_class.size());
  return s;
}

}  // namespace

struct TrainingController::Impl : RunObserver {
  explicit Impl(TrainingController* owner) : owner(owner) {}

  TrainingController* owner;
  State state = State::Idle;
  QString runsDirectory;
  QString lastRunDir;
  QString lastMessage;

  std::unique_ptr<RunControl> control = std::make_unique<RunControl>();  ///< one per run
  // Shared with the run's threads.
  TaskContext* context = nullptr;  ///< the running job's, while it runs
  RunOptions options;              ///< set before the run starts, read-only while it runs
  bool resuming = false;           ///< continue the run directory's checkpoint; as `options`
  std::atomic<int64_t> batchesPerEpoch{0};  ///< of the last batch event, to place run events
  /// False while a twin trains: the DANN panel shows the transfer run. Set by
  /// the run's thread before each job starts, read by its training thread.
  std::atomic<bool> reportDiagnostics{true};
  /// The run's thread. Stop goes through `control`, not task.cancel(): a
  /// stopped run still writes its record and reports how it ended. Declared
  /// last, so it is destroyed first: its destructor joins the thread while
  /// everything the run uses is still alive.
  BackgroundTask task;

  /// Runs `f` on the GUI thread, in order with the run's other events.
  template <typename F>
  void post(F f) {
    context->post(std::move(f));
  }

  // RunObserver: called on the task's thread or the training thread.
  void on_run_started(const RunStart& start) override {
    const QString name = QString::fromStdString(start.name), summary = QString::fromStdString(start.summary);
    const int epochs = start.epochs;
    post([this, name, epochs, summary] {
      if (state == State::Preparing) owner->setState(State::Training);
      Q_EMIT owner->runStarted(name, epochs, summary);
    });
  }
  void on_job_started(const JobIdentity& job) override {
    reportDiagnostics = !job.is_twin();
    if (options.isComparison()) post([this, job] { Q_EMIT owner->jobStarted(job); });
  }
  bool wants_layer_drift() const override { return true; }
  void on_layer_drift(const std::vector<LayerRecord>& layers) override {
    QStringList paths;
    QVector<double> drift;
    for (const LayerRecord& layer : layers) {
      paths << QString::fromStdString(layer.path);
      drift << (layer.trainable ? layer.drift : 0.0);
    }
    post([this, paths, drift] { Q_EMIT owner->layerDriftChanged(paths, drift); });
  }
  void on_evaluating(const JobIdentity&) override {
    post([this] { Q_EMIT owner->evaluating(); });
  }
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
  }
  void on_run_event(const RunEvent& e) override {
    const RunEventKind kind = e.kind;
    const QString details = QString::fromStdString(e.details);
    const int64_t perEpoch = e.batches_per_epoch > 0 ? e.batches_per_epoch : batchesPerEpoch.load();
    const double position = (e.epoch - 1) + (perEpoch > 0 ? static_cast<double>(e.batch) / perEpoch : 0.0);
    post([this, position, kind, details] { Q_EMIT owner->runEvent(position, kind, details); });
  }
  void on_paused(bool paused) override {
    post([this, paused] {
      if (state == State::Training || state == State::Paused) owner->setState(paused ? State::Paused : State::Training);
    });
  }

  /// Parses the config and runs it through core's run_experiment, the same
  /// path as `transferlab-cli run`; on the task's thread.
  RunEnding run(const std::string& configJson, const QString& runDir);
};

TrainingController::RunEnding TrainingController::Impl::run(const std::string& configJson, const QString& runDir) {
  const ExperimentConfig config = config_from_json(parse_bounded_json(configJson));
  RunRequest request;
  request.config = config;
  request.run_dir = runDir.toStdString();
  request.repetition = {options.seeds, options.twin};
  request.resume = resuming;
  request.origin = "gui";
  const RunResult result = run_experiment(request, *this, *control);
  RunEnding ending;
  ending.status = state_of(result.status);
  ending.message = QString::fromStdString(result.message);
  ending.testAccuracy = result.transfer_test_accuracy();
  // A run stopped while its data loaded left no files.
  if (!result.comparison.runs.empty()) ending.runDir = runDir;
  if (result.comparison.verdict) ending.verdict = summary_of(result.comparison, config);
  ending.historyWarning = QString::fromStdString(result.history_warning);
  return ending;
}

TrainingController::TrainingController(QObject* parent) : QObject(parent), d(std::make_unique<Impl>(this)) {
  d->runsDirectory =
      QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("runs"));
  // A config that does not parse or prepare, or files that cannot be written.
  connect(&d->task, &BackgroundTask::failed, this,
          [this](const QString& message) { finishRun({State::Failed, message, 0.0, {}, std::nullopt, {}}); });
}

// The run stops between two batches; the task's destructor then joins its thread.
TrainingController::~TrainingController() { d->control->cancel(); }

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
  const QString runDir =
      QString::fromStdString(new_run_directory(d->runsDirectory.toStdString(), name.toStdString()));
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
    if (!d->control->update(config)) return fail(tr("no single run is paused"));
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
  d->control = std::make_unique<RunControl>();
  d->lastMessage.clear();
  d->options = options;
  d->options.seeds = std::max(1, options.seeds);
  d->resuming = resuming;
  setState(State::Preparing);
  Impl* impl = d.get();
  return d->task.start(
      [impl, json = configJson.toStdString(), runDir](TaskContext& context) {
        impl->context = &context;
        return impl->run(json, runDir);
      },
      [this](const RunEnding& ending) { finishRun(ending); });
}

void TrainingController::pause() {
  if (d->state == State::Training) d->control->pause();
}

void TrainingController::resume() {
  if (d->state == State::Paused) d->control->resume();
}

void TrainingController::togglePause() { d->state == State::Paused ? resume() : pause(); }

void TrainingController::stop() {
  if (!isBusy() || d->state == State::Stopping) return;
  d->control->cancel();
  setState(State::Stopping);
}

void TrainingController::stopAndWait() {
  if (!d->task.isRunning()) return;
  if (d->state != State::Stopping) setState(State::Stopping);
  d->control->cancel();
  // Delivers the run's last events and its ending before returning, so the
  // final state and runFinished are known.
  d->task.wait();
}

void TrainingController::setState(State state) {
  if (d->state == state) return;
  d->state = state;
  Q_EMIT stateChanged(state);
}

void TrainingController::finishRun(const RunEnding& ending) {
  d->context = nullptr;
  if (ending.verdict) Q_EMIT comparisonFinished(*ending.verdict);
  if (!ending.historyWarning.isEmpty()) Q_EMIT historyWarning(ending.historyWarning);
  if (!ending.runDir.isEmpty()) d->lastRunDir = ending.runDir;
  d->lastMessage = ending.message;
  setState(ending.status);
  Q_EMIT runFinished(ending.status, ending.message, ending.testAccuracy);
}

}  // namespace tl
