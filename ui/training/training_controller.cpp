#include "training/training_controller.h"

#include "experiment/experiment.h"
#include "experiment/experiment_config.h"
#include "train/trainer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QRegularExpression>
#include <QStandardPaths>

#include <atomic>
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
    post([this, e] {
      Q_EMIT owner->batchTrained(e.epoch, static_cast<int>(e.batch), static_cast<int>(e.batches_per_epoch), e.loss,
                                 e.progress, e.eta_seconds);
    });
  }
  void on_epoch(const EpochEvent& e) override {
    post([this, e] {
      Q_EMIT owner->epochFinished(e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy, e.seconds);
    });
  }
  void on_paused(bool paused) override {
    post([this, paused] {
      if (state == State::Training || state == State::Paused) owner->setState(paused ? State::Paused : State::Training);
    });
  }

  void runWorker(const std::string& configJson, const QString& runDir);
  TrainingOutcome train(const PreparedExperiment& prepared);
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

TrainingOutcome TrainingController::Impl::train(const PreparedExperiment& prepared) {
  Trainer local(make_training_job(prepared), this);
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
    const ExperimentConfig config = config_from_json(nlohmann::json::parse(configJson));
    // Thread count is per thread; data preparation runs tensor ops here too.
    torch::set_num_threads(training_thread_count(config.training.threads));
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
    const TrainingOutcome outcome = train(prepared);
    if (outcome.status == RunStatus::Finished) post([this] { Q_EMIT owner->evaluating(); });
    const RunRecord record = record_of(prepared, outcome);
    write_run(record, runDir.toStdString());
    const State status = state_of(outcome.status);
    const QString message = QString::fromStdString(outcome.message);
    const double testAccuracy = record.test_accuracy;
    post([this, status, message, testAccuracy, runDir] { owner->finishRun(status, message, testAccuracy, runDir); });
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    post([this, message] { owner->finishRun(State::Failed, message, 0.0, {}); });
  }
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

bool TrainingController::startFromConfigJson(const QByteArray& configJson) {
  if (isBusy()) return false;
  // The previous worker has posted its last event; joining is immediate.
  if (d->worker.joinable()) d->worker.join();
  d->generation++;
  d->cancelRequested = false;
  d->lastMessage.clear();
  QString name = QStringLiteral("run");
  try {
    name = QString::fromStdString(nlohmann::json::parse(configJson.toStdString()).value("name", "run"));
  } catch (const std::exception&) {
    // The worker reports the parse error with its position.
  }
  const QString runDir = new_run_dir(d->runsDirectory, name);
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
