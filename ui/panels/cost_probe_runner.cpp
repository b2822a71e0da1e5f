#include "panels/cost_probe_runner.h"

#include "train/cost_probe.h"
#include "train/trainer.h"

#include <QMetaObject>
#include <QPointer>
#include <QSettings>
#include <QVariantMap>

#include <atomic>
#include <thread>

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

struct CostProbeRunner::Impl {
  std::thread worker;
  std::atomic<bool> cancel{false};
  std::atomic<bool> busy{false};

  void join() {
    cancel = true;
    if (worker.joinable()) worker.join();
  }
};

CostProbeRunner::CostProbeRunner(QObject* parent) : QObject(parent), d(std::make_unique<Impl>()) {}

CostProbeRunner::~CostProbeRunner() { d->join(); }

bool CostProbeRunner::isBusy() const { return d->busy; }

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
  if (d->busy) return false;
  if (d->worker.joinable()) d->worker.join();  // the last probe has posted its result
  d->busy = true;
  d->cancel = false;
  QPointer<CostProbeRunner> self(this);
  d->worker = std::thread([this, self, target] {
    CostProbeOptions options;
    options.batch_size = target.batchSize;
    options.cancel = &d->cancel;
    const InputShape input{target.channels, target.height, target.width};
    try {
      const TrainingCost cost = probe_training_cost(target.architecture.toStdString(), input, options);
      CostEstimate e;
      e.architecture = target.architecture;
      e.batchSize = target.batchSize;
      e.parameters = cost.parameters;
      e.peakBytes = cost.peak_bytes;
      e.secondsPerBatch = cost.seconds_per_batch;
      e.threads = training_thread_count(0);
      QMetaObject::invokeMethod(this, [this, self, target, e] {
        if (!self) return;
        QSettings().setValue(target.settingsKey(), QVariantMap{{QStringLiteral("parameters"), e.parameters},
                                                               {QStringLiteral("peakBytes"), e.peakBytes},
                                                               {QStringLiteral("secondsPerBatch"), e.secondsPerBatch},
                                                               {QStringLiteral("threads"), e.threads}});
        d->busy = false;
        Q_EMIT measured(target, e);
      }, Qt::QueuedConnection);
    } catch (const std::exception& ex) {
      const QString message = QString::fromStdString(ex.what());
      QMetaObject::invokeMethod(this, [this, self, target, message] {
        if (!self) return;
        d->busy = false;
        Q_EMIT failed(target, message);
      }, Qt::QueuedConnection);
    }
  });
  return true;
}

}  // namespace tl
