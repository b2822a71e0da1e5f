#pragma once

// Torch-free on purpose: this header carries Q_OBJECT; core's cost probe is
// behind the .cpp.

#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>

namespace tl {

class BackgroundTask;

/// The architecture and input size a cost probe builds.
struct ProbeTarget {
  QString architecture;
  qint64 channels = 1;
  qint64 height = 28;
  qint64 width = 28;
  int batchSize = 64;

  /// QSettings key of its cached estimate: "costProbe/<architecture>_<C>x<H>x<W>/batch<B>".
  QString settingsKey() const;
};

/// A measured training cost (a torch-free copy of tl::TrainingCost).
struct CostEstimate {
  QString architecture;
  int batchSize = 0;
  qint64 parameters = 0;
  qint64 peakBytes = 0;        ///< tensor memory of a full fine-tuning step, counted from LibTorch's allocations
  double secondsPerBatch = 0;  ///< forward + backward + SGD step
  int threads = 0;             ///< LibTorch threads the probe ran with

  double secondsPerEpoch(qint64 images) const;
};

/// Measures training costs with core's probe_training_cost on a
/// BackgroundTask, one at a time, and caches each result in QSettings under
/// ProbeTarget::settingsKey(), so a model is measured once per batch size on
/// this machine. Signals arrive on the GUI thread.
class CostProbeRunner : public QObject {
  Q_OBJECT

 public:
  explicit CostProbeRunner(QObject* parent = nullptr);
  ~CostProbeRunner() override;  ///< stops a running probe after its current step and joins it

  /// The cached estimate of `target`, if it was measured before.
  static std::optional<CostEstimate> cached(const ProbeTarget& target);

  /// Starts measuring `target`; false (and nothing starts) while busy.
  bool measure(const ProbeTarget& target);
  bool isBusy() const;
  /// Cancels a running probe: nothing is measured or cached, cancelled() follows at once.
  void cancel();
  /// The probe's task, for a TaskProgressBar.
  BackgroundTask* task() const { return task_; }

 Q_SIGNALS:
  void measured(const tl::ProbeTarget& target, const tl::CostEstimate& estimate);
  void failed(const tl::ProbeTarget& target, const QString& message);
  void cancelled(const tl::ProbeTarget& target);

 private:
  BackgroundTask* task_;
  ProbeTarget running_;  ///< what the running (or last) probe measures
};

}  // namespace tl

Q_DECLARE_METATYPE(tl::ProbeTarget)
Q_DECLARE_METATYPE(tl::CostEstimate)
