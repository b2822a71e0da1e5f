#include "sweep/sweep_runner.h"

#include "experiment/experiment_config.h"
#include "run/run_control.h"
#include "sweep/run_sweep.h"
#include "tasks/background_task.h"
#include "util/bounded_json.h"

#include <algorithm>
#include <atomic>

namespace tl {
namespace {

/// How a sweep's thread ended, handed to the GUI thread.
struct SweepEnding {
  SweepTable table;
  bool cancelled = false;
};

bool allFinished(const SweepTable& table) {
  return static_cast<int64_t>(table.trials.size()) >= table.total_trials &&
         std::all_of(table.trials.begin(), table.trials.end(), [](const TrialResult& t) { return t.status == "finished"; });
}

}  // namespace

/// The observer lives on the sweep's thread; what the window needs goes
/// through the task's context (posts and coalesced progress).
struct SweepRunner::Impl : SweepObserver {
  explicit Impl(SweepRunner* owner) : owner(owner) {}

  SweepRunner* owner;
  QString historyPath;
  QString directory;
  SweepTable table;  ///< GUI thread's copy
  std::unique_ptr<RunControl> control = std::make_unique<RunControl>();
  TaskContext* context = nullptr;

  // Sweep thread only.
  int64_t total = 0, done = 0;
  std::vector<std::string> axes;
  int epochs = 0;
  QString trialText, jobText;
  int job = 0, jobs = 1;

  BackgroundTask task;  ///< last: joined first on destruction

  void publish(const SweepTable& snapshot) {
    total = snapshot.total_trials;
    axes = snapshot.axes;
    done = static_cast<int64_t>(snapshot.trials.size());
    context->post([this, snapshot] {
      table = snapshot;
      Q_EMIT owner->tableChanged();
    });
  }
  void report(double jobProgress, const QString& epochText) {
    const double withinTrial = (job + std::clamp(jobProgress, 0.0, 1.0)) / std::max(1, jobs);
    const double fraction = total > 0 ? (static_cast<double>(done) + withinTrial) / static_cast<double>(total) : -1.0;
    QStringList parts{trialText};
    if (!jobText.isEmpty()) parts << jobText;
    if (!epochText.isEmpty()) parts << epochText;
    context->progress(fraction, parts.join(QStringLiteral(" · ")));
  }

  void on_sweep_started(const SweepTable& snapshot) override { publish(snapshot); }
  void on_trial_started(const SweepTrial& trial) override {
    epochs = static_cast<int>(trial.config.training.epochs);
    job = 0;
    jobs = 1;
    jobText.clear();
    trialText = QObject::tr("Trial %1 of %2 (%3)")
                    .arg(done + 1)
                    .arg(total)
                    .arg(QString::fromStdString(trial_label(trial.values, axes)));
    report(0.0, QString());
  }
  void on_trial_finished(const TrialResult&, const SweepTable& snapshot) override {
    publish(snapshot);
    jobText.clear();
  }
  void on_job_started(const JobIdentity& identity) override {
    job = identity.index;
    jobs = std::max(1, identity.count);
    jobText = QObject::tr("run %1/%2 (%3)").arg(identity.index + 1).arg(jobs).arg(QString::fromStdString(job_label(identity)));
    report(0.0, QString());
  }
  void on_batch(const BatchEvent& e) override { report(e.progress, QObject::tr("epoch %1/%2").arg(e.epoch).arg(epochs)); }

  SweepEnding run(const std::string& configJson, const std::string& dir) {
    SweepRequest request;
    request.config = config_from_json(parse_bounded_json(configJson));
    request.spec = sweep_spec_of(request.config);
    request.dir = dir;
    request.origin = "gui";
    request.history_path = historyPath.toStdString();
    SweepEnding ending;
    ending.table = run_sweep(request, *this, *control);
    ending.cancelled = control->cancelled();
    return ending;
  }
};

SweepRunner::SweepRunner(QObject* parent) : QObject(parent), d(std::make_unique<Impl>(this)) {
  connect(&d->task, &BackgroundTask::progress, this, &SweepRunner::progress);
  connect(&d->task, &BackgroundTask::failed, this, [this](const QString& message) {
    d->context = nullptr;
    Q_EMIT failed(message);
  });
}

SweepRunner::~SweepRunner() { d->control->cancel(); }

void SweepRunner::setHistoryPath(const QString& path) { d->historyPath = path; }

bool SweepRunner::start(const QByteArray& configJson, const QString& dir) {
  if (d->task.isRunning()) return false;
  d->control = std::make_unique<RunControl>();
  d->directory = dir;
  d->table = SweepTable{};
  Impl* impl = d.get();
  const bool started = d->task.start(
      [impl, json = configJson.toStdString(), where = dir.toStdString()](TaskContext& context) {
        impl->context = &context;
        return impl->run(json, where);
      },
      [this](const SweepEnding& ending) {
        d->context = nullptr;
        d->table = ending.table;
        Q_EMIT tableChanged();
        const bool complete = allFinished(ending.table);
        const QString message =
            complete ? QString()
                     : tr("Stopped after %1 of %2 trials; Resume continues where it stopped.")
                           .arg(ending.table.trials.size())
                           .arg(ending.table.total_trials);
        Q_EMIT finished(complete, message);
      });
  if (started) Q_EMIT this->started();
  return started;
}

void SweepRunner::cancel() {
  if (d->task.isRunning()) d->control->cancel();
}

bool SweepRunner::isRunning() const { return d->task.isRunning(); }
QString SweepRunner::directory() const { return d->directory; }
const SweepTable& SweepRunner::table() const { return d->table; }

}  // namespace tl
