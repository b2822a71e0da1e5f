#pragma once

// Torch-free on purpose: this header carries Q_OBJECT and is seen by moc and
// by every widget; the LibTorch side lives behind the pimpl in the .cpp.

#include "experiment/job_identity.h"
#include "train/training_events.h"
#include "verdict/verdict_summary.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <optional>

namespace tl {

/// How a start is run: alone, or compared with its twin (the scratch twin, or
/// the source-only twin of a DANN run) over one or more seeds, as
/// `transferlab-cli run --twin --seeds K` does.
struct RunOptions {
  bool twin = false;
  int seeds = 1;  ///< 1..; seed s = training.seed + i, each a transfer run (+ twin)

  bool isComparison() const { return twin || seeds > 1; }
};

/// Runs one experiment at a time off the GUI thread: a worker thread calls
/// core's run_experiment, the same path as `transferlab-cli run` (prepare,
/// train, evaluate, record, export, history); its events arrive here through
/// queued calls, so every signal is emitted on the GUI thread. At the end the
/// run's files are in lastRunDir().
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
  /// With options.isComparison() the run goes through core's run_comparison:
  /// every job (each seed's transfer run and twin) reports through the same
  /// signals, announced by jobStarted(); the run directory gets the
  /// comparison's record (run.json with "baseline" and "verdict", twin/).
  bool startFromConfigJson(const QByteArray& configJson, const RunOptions& options = {});
  /// The options of the current (or last) start.
  RunOptions runOptions() const;

  /// Continues the run in `runDir` from its last checkpoint, with the config
  /// it started with (DIR/config.json); the record is rewritten there at the
  /// end. Returns false while busy or when the directory holds no run that
  /// can be resumed.
  bool resumeRun(const QString& runDir);
  /// While a single run is paused: its freeze plan (transfer.strategy and
  /// transfer.layers of `configJson`) and learning rate take effect when it
  /// resumes; the change is logged and reported by runEvent (PlanChange).
  /// Returns false, with the reason in `error`, when no single run is paused
  /// or the config is invalid.
  bool updatePausedRun(const QByteArray& configJson, QString* error = nullptr);
  /// The directory of the last single run started from the GUI (remembered
  /// across restarts) when it stopped before its end (closed window, crash,
  /// Stop) and can be resumed; empty otherwise.
  QString unfinishedRunDir() const;

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
  /// A comparison's job begins training: its seed, its role (transfer run or
  /// twin) and its place among the run's jobs. Batch and epoch signals until
  /// the next jobStarted belong to it.
  void jobStarted(const tl::JobIdentity& job);
  /// After every epoch of a transfer run (not of a twin): how far each layer
  /// with parameters has moved from its starting weights (L2 norm), by path.
  void layerDriftChanged(const QStringList& paths, const QVector<double>& drift);
  /// After an epoch that has something to say beyond the curves: a DANN
  /// run's domain classifier accuracy and λ (both −1 without DANN) and the
  /// trainer's warning ("features not aligned: …", "task loss diverges: …"; may be empty).
  void epochDiagnostics(int epoch, double domainAccuracy, double lambda, const QString& warning);
  /// A line of the run's event log (DIR/events.jsonl); `epochPosition` is
  /// where it happened in epochs, on the plot's x axis.
  void runEvent(double epochPosition, tl::RunEventKind kind, const QString& details);
  /// A comparison ended with a verdict (every seed's pair finished); comes
  /// just before runFinished.
  void comparisonFinished(const tl::VerdictSummary& summary);
  /// Training is done; the model is being evaluated on the test set (can take seconds).
  void evaluating();
  /// Once per start, after the worker thread has ended. Only a finished run
  /// is evaluated on the test set (core's make_run_record): `testAccuracy` is
  /// in [0, 1] (a comparison's mean over its finished transfer runs), 0 when
  /// nothing was evaluated.
  void runFinished(tl::TrainingController::State status, const QString& message, double testAccuracy);
  /// The run could not be added to the run history (core/history); the run
  /// itself is unaffected. One line naming the database and the problem.
  void historyWarning(const QString& message);

 private:
  struct Impl;
  friend struct Impl;
  /// How a run ended, as plain values handed from the run's thread.
  struct RunEnding {
    State status = State::Failed;
    QString message;
    double testAccuracy = 0.0;
    QString runDir;  ///< empty when the run left no files
    std::optional<VerdictSummary> verdict;
    QString historyWarning;
  };

  void setState(State state);
  bool launch(const QByteArray& configJson, const RunOptions& options, const QString& runDir, bool resuming);
  void finishRun(const RunEnding& ending);

  std::unique_ptr<Impl> d;
};

}  // namespace tl

Q_DECLARE_METATYPE(tl::JobIdentity)
Q_DECLARE_METATYPE(tl::RunEventKind)
