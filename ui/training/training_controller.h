#pragma once

// Torch-free on purpose: this header carries Q_OBJECT and is seen by moc and
// by every widget; the LibTorch side lives behind the pimpl in the .cpp.

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>

namespace tl {

/// Runs one experiment at a time off the GUI thread: a worker thread prepares
/// the experiment (loads data and model) and drives a core Trainer; events
/// arrive here through queued calls, so every signal is emitted on the GUI
/// thread. At the end the run record is written to lastRunDir().
class TrainingController : public QObject {
  Q_OBJECT

 public:
  enum class State { Idle, Preparing, Training, Paused, Stopping, Finished, Cancelled, Failed };
  Q_ENUM(State)

  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;  ///< cancels a running experiment and joins its thread

  State state() const;
  /// True from start until the worker thread has ended (Preparing … Stopping).
  bool isBusy() const;
  static bool isBusyState(State state);
  static QString stateName(State state);  ///< "idle", "preparing", … for status lines

  /// Where run directories are created; default AppDataLocation/runs.
  void setRunsDirectory(const QString& directory);
  QString runsDirectory() const;
  /// Directory of the last run whose run.json was written; empty before.
  QString lastRunDir() const;
  /// The message of the last failed or cancelled run.
  QString lastMessage() const;

  /// Starts a run from an ExperimentConfig as JSON (what config_to_json
  /// writes). Parsing errors are reported like any other failure: state
  /// Failed + runFinished. Returns false (and does nothing) while busy.
  /// ui/training/start_training.h has the overload for an ExperimentConfig.
  bool startFromConfigJson(const QByteArray& configJson);

  /// Cancels and blocks until the worker thread has ended; for closeEvent.
  void stopAndWait();

 public Q_SLOTS:
  void pause();
  void resume();
  void togglePause();
  /// Asks the run to end; takes effect between two batches. The state becomes
  /// Cancelled once the record is written.
  void stop();

 Q_SIGNALS:
  void stateChanged(tl::TrainingController::State state);
  /// Data and model are ready; training begins. `summary` is one line for a status bar.
  void runStarted(const QString& runName, int epochs, const QString& summary);
  void batchTrained(int epoch, int batch, int batchesPerEpoch, double loss, double progress, double etaSeconds);
  void epochFinished(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                     double seconds);
  /// Training is done; the model is being evaluated on the test set (can take seconds).
  void evaluating();
  /// Once per start, after the worker thread has ended. A stopped run is not
  /// evaluated on the test set: its record has status "cancelled" and no test accuracy. `testAccuracy` is in [0, 1]; 0 when unknown.
  void runFinished(tl::TrainingController::State status, const QString& message, double testAccuracy);

 private:
  struct Impl;
  friend struct Impl;
  void setState(State state);
  void finishRun(State status, const QString& message, double testAccuracy, const QString& runDir);

  std::unique_ptr<Impl> d;
};

}  // namespace tl
