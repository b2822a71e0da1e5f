#pragma once

#include "training/training_controller.h"

#include <QList>
#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QTabWidget;

namespace tl {

class AnalysisView;
class DannPanel;
class EditLock;
class ExperimentSession;
class ImportWeightsDialog;
class LayerTreePanel;
class LessonBar;
class LossPlot;
class ProbePanel;
class ResumeBar;
class MitigationsPanel;
class RunsPanel;
class SetupSteps;
class SimilarityPanel;
class SweepView;
class TimelineStrip;
class TrainingControls;
class VerdictBanner;
class WindowParts;

/// The application window: the setup on the left as the steps of an
/// experiment (SetupSteps: model, data, strategy, train, analyse), the layer
/// tree over the live curves on the right,
/// Train / Pause / Stop on a toolbar, progress in the status bar. Owns the
/// session and the training controller.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  ExperimentSession* session() const { return session_; }
  TrainingController* controller() const { return controller_; }
  LossPlot* lossPlot() const { return plot_; }
  /// The Analysis tab beside the curves: a finished run's folder waits there
  /// for "Analyse this run"; Runs → Analyse opens any recorded run in it.
  AnalysisView* analysisView() const { return analysis_; }
  /// The Sweep tab beside Analysis: a sweep's trials, its transferability
  /// curve or heat map (Experiment → Sweep…, File → Open sweep…).
  SweepView* sweepView() const { return sweep_; }
  /// "Curves" and "Analysis".
  QTabWidget* plotTabs() const { return plotTabs_; }
  TrainingControls* trainingControls() const { return controls_; }
  LayerTreePanel* layerTreePanel() const { return treePanel_; }
  ProbePanel* probePanel() const { return probe_; }
  VerdictBanner* verdictBanner() const { return verdict_; }
  SimilarityPanel* similarityPanel() const { return similarity_; }
  MitigationsPanel* mitigationsPanel() const { return mitigations_; }
  DannPanel* dannPanel() const { return dann_; }
  /// Under the curves: when each block trains and at what rate (hidden for the default schedule).
  TimelineStrip* timelineStrip() const { return timeline_; }
  /// The guided lesson over the curves; a preset opened with loadPreset starts its lesson there.
  LessonBar* lessonBar() const { return lessonBar_; }
  /// The parts of the window a lesson step may name.
  const WindowParts& windowParts() const { return *parts_; }
  /// Offers the last GUI run that stopped before its end; resuming it loads
  /// its own config into the session first (loadRunConfig).
  ResumeBar* resumeBar() const { return resumeBar_; }
  /// The setup's steps; the current one is kept in QSettings.
  SetupSteps* setupSteps() const { return steps_; }
  /// View → Runs (Ctrl+R) or the Analyse step's button: the run history in a
  /// dock, hidden at first.
  RunsPanel* runsPanel() const { return runs_; }
  QDockWidget* runsDock() const { return runsDock_; }
  /// The Lessons menu: one action per built-in preset, in menu order; each
  /// action's data is the preset's path.
  QMenu* lessonsMenu() const { return lessonsMenu_; }
  QString statusText() const;  ///< the progress label, e.g. "epoch 3/10 · ETA 0:42"

  /// Errors go to dialogs when interactive; in batch use (--demo) only to the
  /// status bar and stderr, so nothing waits for a click.
  void setInteractive(bool interactive) { interactive_ = interactive; }
  /// Whether closing saves geometry and the config to QSettings.
  void setPersistSettings(bool persist) { persistSettings_ = persist; }

  /// Window geometry and splitters from QSettings (nothing on first launch).
  void restoreLayout();
  /// The last session's config from QSettings; false when there is none or
  /// it no longer loads (the session keeps its default then).
  bool restoreLastConfig();
  /// Loads a preset file into the session (File → Open preset, the Lessons
  /// menu, --preset) and starts its lesson at step 1. Refused while a run is
  /// busy: the tree and the plot belong to that run until it ends. A lesson
  /// naming a part the window lacks is not started: false and the reason,
  /// with the experiment loaded.
  bool loadPreset(const QString& path, QString* error = nullptr);

  /// Loads the config a run in `runDir` started with (DIR/config.json) into
  /// the session; false with *error when it cannot be read or prepared.
  bool loadRunConfig(const QString& runDir, QString* error = nullptr);

  static QString formatDuration(double seconds);  ///< "0:42", "1:02:03"

  /// File → Export model… (Ctrl+E): enabled while no run is busy and the last
  /// run left a trained model (RUN_DIR/model.safetensors).
  QAction* exportModelAction() const { return exportModel_; }
  /// Copies the last run's model.safetensors to `path` and its model.json
  /// beside it (same name, .json); false with *error naming the file.
  bool exportModelTo(const QString& path, QString* error = nullptr);
  /// File → Import weights… (Ctrl+I): shows the import dialog (one per
  /// window). An imported checkpoint is remembered by the model picker and
  /// becomes the session's model.
  ImportWeightsDialog* showImportWeightsDialog();
  /// Runs → Analyse and `transferlab --analysis`: the run's analysis (stored,
  /// else computed) in the Analysis tab.
  void showRunAnalysis(const QString& runDir);
  /// Experiment → Sweep… (Ctrl+Shift+W): the sweep dialog on the session's
  /// config; Run starts the sweep in the Sweep tab. Refused while a run is busy.
  void showSweepDialog();
  /// File → Open sweep… and `transferlab --sweep DIR`: DIR/sweep.json in the
  /// Sweep tab; false with the reason in *error.
  bool openSweep(const QString& dir, QString* error = nullptr);

 public Q_SLOTS:
  /// Starts a run with the session's config; false when one is running.
  bool startTraining();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildCentralArea();
  QWidget* buildPlotArea();
  void connectComparison();
  void showDiagnostics(int epoch, double domainAccuracy, double lambda, const QString& warning);
  void buildToolBar();
  void buildMenus();
  void buildLessonsMenu();
  void registerWindowParts();
  bool startLesson(QString* error);
  void buildRunsDock();
  void rerun(const QString& configJson, const QString& name, int seeds, bool twin);
  void buildStatusBar();
  void connectController();
  void showState(TrainingController::State state);
  void showBatch(int epoch, int batch, int batchesPerEpoch, double progress, double etaSeconds);
  void showRunFinished(TrainingController::State status, const QString& message, double testAccuracy);
  void showError(const QString& title, const QString& message);
  void setEditingLocked(bool locked);
  void saveSettings() const;
  void openPresetDialog();
  void savePresetDialog();
  void openCheckpointDialog();
  void exportModelDialog();
  void updateExportModelAction();
  void adoptImportedModel(const QString& path);
  void showAbout();
  void resetLayout();
  void fitWorkSplitToTab(int index);
  void connectSweepView();
  void openSweepDialog();

  ExperimentSession* session_;
  TrainingController* controller_;
  LossPlot* plot_ = nullptr;
  TimelineStrip* timeline_ = nullptr;
  AnalysisView* analysis_ = nullptr;
  SweepView* sweep_ = nullptr;
  QTabWidget* plotTabs_ = nullptr;
  QList<int> curvesSplit_;  ///< the tree/plot split while the curves were shown
  TrainingControls* controls_ = nullptr;
  LayerTreePanel* treePanel_ = nullptr;
  ProbePanel* probe_ = nullptr;
  VerdictBanner* verdict_ = nullptr;
  SimilarityPanel* similarity_ = nullptr;
  MitigationsPanel* mitigations_ = nullptr;
  DannPanel* dann_ = nullptr;
  LessonBar* lessonBar_ = nullptr;
  std::unique_ptr<WindowParts> parts_;
  RunsPanel* runs_ = nullptr;
  ResumeBar* resumeBar_ = nullptr;
  QDockWidget* runsDock_ = nullptr;
  QMenu* lessonsMenu_ = nullptr;
  QAction* exportModel_ = nullptr;
  ImportWeightsDialog* importDialog_ = nullptr;
  QList<QAction*> presetActions_;       ///< open a preset: disabled while training
  QWidget* setupArea_ = nullptr;        ///< the resume bar over the steps
  SetupSteps* steps_ = nullptr;
  QSplitter* mainSplitter_ = nullptr;   ///< setup | work area
  QSplitter* workSplitter_ = nullptr;   ///< tree over plot
  QList<QWidget*> setupPanels_;         ///< model, data, strategy: locked while training
  QProgressBar* progress_ = nullptr;
  QLabel* progressLabel_ = nullptr;
  EditLock* treeLock_ = nullptr;
  QString progressText_;  ///< "epoch 3/10 · ETA 0:42" of the last batch
  int epochs_ = 0;
  RunOptions runOptions_;  ///< of the current run
  int job_ = 0;            ///< a comparison's current job, from 0
  int jobs_ = 1;
  QString jobLabel_;       ///< "seed 2 scratch twin"
  bool interactive_ = true;
  bool persistSettings_ = true;
};

}  // namespace tl
