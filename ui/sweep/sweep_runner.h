#pragma once

// Torch-free (Q_OBJECT): the sweep itself runs behind the pimpl.

#include "sweep/sweep_table.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>

namespace tl {

/// Runs one sweep at a time off the GUI thread through core's run_sweep, the
/// path `transferlab-cli sweep` takes: each trial's runs, the shared twins,
/// sweep.json and sweep.csv. Every signal comes on the GUI thread.
class SweepRunner : public QObject {
  Q_OBJECT

 public:
  explicit SweepRunner(QObject* parent = nullptr);
  ~SweepRunner() override;  ///< cancels a running sweep and joins its thread

  /// The run history the sweep's runs are recorded in; "" = the default one.
  void setHistoryPath(const QString& path);
  /// Runs the sweep of `configJson` (a config with its "sweep" section) into
  /// `dir`; when `dir` holds an unfinished sweep of the same spec and config
  /// it resumes there. False, starting nothing, while a sweep runs. A config
  /// that does not parse ends in failed().
  bool start(const QByteArray& configJson, const QString& dir);
  /// Stops between two batches; the trials finished so far stay in sweep.json
  /// and the sweep can be resumed. finished() follows once the sweep has stopped.
  void cancel();
  bool isRunning() const;
  /// The folder of the current (or last) sweep.
  QString directory() const;
  /// The trials known so far (finished ones from an earlier start included).
  const SweepTable& table() const;

 Q_SIGNALS:
  void started();
  /// table() has changed: the sweep began, or a trial finished.
  void tableChanged();
  /// Overall progress in [0, 1] and what runs: "Trial 2 of 4 (depth=1) · seed 2 transfer · epoch 3/5".
  void progress(double fraction, const QString& text);
  /// The sweep ended: `complete` when every trial finished, else stopped
  /// (cancelled, or a job failed: `message` says which).
  void finished(bool complete, const QString& message);
  /// It could not run at all (bad config, unwritable folder, another sweep in the folder).
  void failed(const QString& message);

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
