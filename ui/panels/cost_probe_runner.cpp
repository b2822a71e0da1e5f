#include "panels/cost_probe_runner.h"

#include "tasks/background_task.h"

#include "train/cost_probe.h"
#include "train/trainer.h"

#include <QSettings>
#include <QVariantMap>

namespace tl {

QString ProbeTarget::settingsKey() const {
  return QStringLiteral("costProbe/%1_%2x%3x%4/batch%5")
      .arg(architecture)
      .arg(channels)
      .arg(height)
      .arg(width)
      .arg(batchSize);
}

double CostEstimate::secondsPerEpoch(qint64 images) const {
  if (batchSize < 1) return 0.0;
  return secondsPerBatch * static_cast<double>((images + batchSize - 1) / batchSize);
}

CostProbeRunner::CostProbeRunner(QObject* parent) : QObject(parent), task_(new BackgroundTask(this)) {
  // The training thread count and OpenBLAS setting, so the probe times what a run would.
  task_->setCpuThreads(0);
  connect(task_, &BackgroundTask::failed, this, [this](const QString& message) { Q_EMIT failed(running_, message); });
  connect(task_, &BackgroundTask::cancelled, this, [this] { Q_EMIT cancelled(running_); });
}

// The task, a child, sets the probe's cancel flag (checked between steps) and joins it.
CostProbeRunner::~CostProbeRunner() = default;

bool CostProbeRunner::isBusy() const { return task_->isRunning(); }

void CostProbeRunner::cancel() { task_->cancel(); }

std::optional<CostEstimate> CostProbeRunner::cached(const ProbeTarget& target) {
  const QVariantMap stored = QSettings().value(target.settingsKey()).toMap();
  if (stored.isEmpty()) return std::nullopt;
  CostEstimate e;
  e.architecture = target.architecture;
  e.batchSize = target.batchSize;
  e.parameters = stored.value(QStringLiteral("parameters")).toLongLong();
  e.peakBytes = stored.value(QStringLiteral("peakBytes")).toLongLong();
  e.secondsPerBatch = stored.value(QStringLiteral("secondsPerBatch")).toDouble();
  e.threads = stored.value(QStringLiteral("threads")).toInt();
  if (e.peakBytes <= 0 || e.secondsPerBatch <= 0) return std::nullopt;  // a damaged entry is measured again
  return e;
}

bool CostProbeRunner::measure(const ProbeTarget& target) {
  if (isBusy()) return false;
  running_ = target;
  return task_->start(
      [target](TaskContext& context) {
        CostProbeOptions options;
        options.batch_size = target.batchSize;
        // A cancelled probe returns what it measured so far; the task drops it.
        options.cancel = &context.cancelFlag();
        const InputShape input{target.channels, target.height, target.width};
        const TrainingCost cost = probe_training_cost(target.architecture.toStdString(), input, options);
        CostEstimate e;
        e.architecture = target.architecture;
        e.batchSize = target.batchSize;
        e.parameters = cost.parameters;
        e.peakBytes = cost.peak_bytes;
        e.secondsPerBatch = cost.seconds_per_batch;
        e.threads = training_thread_count(0);
        return e;
      },
      [this, target](const CostEstimate& e) {
        QSettings().setValue(target.settingsKey(), QVariantMap{{QStringLiteral("parameters"), e.parameters},
                                                               {QStringLiteral("peakBytes"), e.peakBytes},
                                                               {QStringLiteral("secondsPerBatch"), e.secondsPerBatch},
                                                               {QStringLiteral("threads"), e.threads}});
        Q_EMIT measured(target, e);
      });
}

}  // namespace tl
