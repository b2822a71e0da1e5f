#include "main_window/main_window.h"

#include "analysis/analysis_view.h"
#include "dann/dann_panel.h"
#include "experiment/presets.h"
#include "experiment/run_resume.h"
#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_panel.h"
#include "layer_tree/layer_tree_view.h"
#include "lesson/lesson_bar.h"
#include "lesson/step_effects.h"
#include "lesson/window_parts.h"
#include "main_window/edit_lock.h"
#include "main_window/model_export_files.h"
#include "main_window/presentation_mode.h"
#include "main_window/setup_steps.h"
#include "main_window/training_controls.h"
#include "mitigations/mitigations_panel.h"
#include "panels/data_panel.h"
#include "panels/import_weights_dialog.h"
#include "panels/model_picker.h"
#include "panels/strategy_panel.h"
#include "plot/loss_plot.h"
#include "probe/probe_panel.h"
#include "runs/runs_panel.h"
#include "schedule/schedule_editor.h"
#include "schedule/schedule_run_follower.h"
#include "schedule/schedule_text.h"
#include "schedule/timeline_strip.h"
#include "session/experiment_session.h"
#include "similarity/similarity_panel.h"
#include "sweep/sweep_dialog.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_view.h"
#include "training/resume_bar.h"
#include "util/text_format.h"
#include "verdict/verdict_banner.h"
#include "weights/pretrained_catalog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include <cmath>
#include <cstdio>

namespace tl {
namespace {

// QSettings keys; organisation and application name come from QApplication.
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kMainSplitterKey = QStringLiteral("window/mainSplitter");
const QString kWorkSplitterKey = QStringLiteral("window/workSplitter");
const QString kConfigKey = QStringLiteral("session/lastConfig");
const QString kSetupStepKey = QStringLiteral("window/setupStep");

QString presets_directory() {
  return QDir(QString::fromStdString(resource_dir())).filePath(QStringLiteral("presets"));
}

/// "…/runs/default-20261126-120744": the full path would run into the
/// progress widgets on a laptop screen; Help → About names the runs folder.
QString shortRunPath(const QString& runDir) {
  const QDir dir(runDir);
  return QStringLiteral("…/runs/") + dir.dirName();
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), session_(new ExperimentSession(this)), controller_(new TrainingController(this)) {
  setWindowTitle(tr("Transfer Lab"));
  buildCentralArea();
  buildToolBar();
  registerWindowParts();
  buildRunsDock();
  buildMenus();
  buildStatusBar();
  connectController();
  // The session returns its errors to the caller; the picker's come here.
  connect(findChild<ModelPicker*>(), &ModelPicker::loadFailed, this,
          [this](const QString& message) { showError(QString(), message); });
  connect(plot_, &LossPlot::exported, this,
          [this](const QString& path) { statusBar()->showMessage(tr("Plot saved to %1").arg(path), 8000); });
  connect(plot_, &LossPlot::exportFailed, this,
          [this](const QString& message) { showError(tr("Export failed"), message); });
  // The designed size, but never larger than a small laptop's screen.
  resize(QSize(1280, 800).boundedTo(screen()->availableGeometry().size()));
  resetLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildCentralArea() {
  // The setup reads as the steps of an experiment, one tab each, so no step
  // hides below another. Train / Pause / Stop are also on the toolbar, so
  // they stay in reach from every step.
  steps_ = new SetupSteps(session_, controller_);
  auto* picker = new ModelPicker(session_);
  auto* data = new DataPanel(session_);
  auto* strategy = new StrategyPanel(session_);
  similarity_ = new SimilarityPanel(session_);
  mitigations_ = new MitigationsPanel(session_);
  setupPanels_ = {picker, data, strategy, similarity_, mitigations_};
  steps_->addPanels(SetupStep::Model, {picker});
  steps_->addPanels(SetupStep::Data, {data});
  steps_->watchFolderPreview(data->folderPreview());
  steps_->addPanels(SetupStep::Strategy, {strategy, similarity_, mitigations_});
  controls_ = new TrainingControls(session_, controller_);
  connect(controls_, &TrainingControls::trainRequested, this, &MainWindow::startTraining);
  steps_->addPanels(SetupStep::Train, {controls_});
  // Intermediate representations: the tree's context menu asks, the Analyse
  // step runs the probe and shows its table.
  probe_ = new ProbePanel(session_);
  steps_->addPanels(SetupStep::Analyse, {probe_});

  // The last GUI run, when it stopped before its end, is offered for resuming.
  resumeBar_ = new ResumeBar(controller_);
  resumeBar_->setBeforeResume([this](const QString& runDir, QString* error) { return loadRunConfig(runDir, error); });
  resumeBar_->offerUnfinishedRun();
  setupArea_ = new QWidget;
  auto* setupLayout = new QVBoxLayout(setupArea_);
  setupLayout->setContentsMargins(0, 0, 0, 0);
  setupLayout->addWidget(resumeBar_);
  setupLayout->addWidget(steps_, 1);

  treePanel_ = new LayerTreePanel(session_);
  const auto showProbe = [this] { steps_->reveal(SetupStep::Analyse, probe_); };
  connect(treePanel_->view(), &LayerTreeView::probeRequested, this,
          [this, showProbe](const QString& path) {
            probe_->probeLayer(path);
            showProbe();
          });
  connect(treePanel_->view(), &LayerTreeView::profileRequested, this,
          [this, showProbe] {
            probe_->probeProfile();
            showProbe();
          });
  treeLock_ = new EditLock(treePanel_->view());

  workSplitter_ = new QSplitter(Qt::Vertical);
  workSplitter_->addWidget(treePanel_);
  workSplitter_->addWidget(buildPlotArea());
  workSplitter_->setStretchFactor(0, 2);
  workSplitter_->setStretchFactor(1, 3);

  mainSplitter_ = new QSplitter(Qt::Horizontal);
  mainSplitter_->addWidget(setupArea_);
  mainSplitter_->addWidget(workSplitter_);
  mainSplitter_->setStretchFactor(0, 0);
  mainSplitter_->setStretchFactor(1, 1);
  for (QSplitter* splitter : {workSplitter_, mainSplitter_}) splitter->setChildrenCollapsible(false);
  setCentralWidget(mainSplitter_);
}

/// The lesson bar (only while a lesson runs) and the verdict banner (only
/// for comparisons) over two tabs: the curves with the DANN panel beside them
/// (only for DANN runs), and the Analysis view of a finished run
/// (Ctrl+Shift+A switches between them).
QWidget* MainWindow::buildPlotArea() {
  plot_ = new LossPlot;
  parts_ = std::make_unique<WindowParts>();
  lessonBar_ = new LessonBar(parts_.get());
  // Any other config ends the lesson; loadPreset starts the new one's.
  connect(session_, &ExperimentSession::configLoaded, lessonBar_, &LessonBar::leave);
  verdict_ = new VerdictBanner;
  dann_ = new DannPanel;
  dann_->setFixedWidth(250);
  dann_->hide();
  auto* area = new QWidget;
  auto* column = new QVBoxLayout(area);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(2);
  column->addWidget(lessonBar_);
  column->addWidget(verdict_);
  auto* curves = new QWidget;
  auto* curvesColumn = new QVBoxLayout(curves);
  curvesColumn->setContentsMargins(0, 0, 0, 0);
  curvesColumn->setSpacing(0);
  auto* row = new QHBoxLayout;
  curvesColumn->addLayout(row, 1);
  row->addWidget(plot_, 1);
  row->addWidget(dann_);
  timeline_ = new TimelineStrip(session_);  // hides itself while the schedule is the default
  curvesColumn->addWidget(timeline_);
  analysis_ = new AnalysisView;
  plotTabs_ = new QTabWidget;
  plotTabs_->setDocumentMode(true);
  plotTabs_->addTab(curves, tr("Curves"));
  plotTabs_->addTab(analysis_, tr("Analysis"));
  plotTabs_->setTabToolTip(1, tr("Why a finished run did as it did (Ctrl+Shift+A)"));
  sweep_ = new SweepView;
  plotTabs_->setTabToolTip(plotTabs_->addTab(sweep_, tr("Sweep")),
                           tr("Test accuracy against frozen depth over many runs (Experiment → Sweep…)"));
  connectSweepView();
  column->addWidget(plotTabs_, 1);
  connect(plotTabs_, &QTabWidget::currentChanged, this, &MainWindow::fitWorkSplitToTab);
  auto* toggle = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this);
  connect(toggle, &QShortcut::activated, this, [this] {
    plotTabs_->setCurrentWidget(plotTabs_->currentWidget() == analysis_ ? plotTabs_->widget(0) : analysis_);
  });
  connect(analysis_, &AnalysisView::exported, this,
          [this](const QString& path) { statusBar()->showMessage(tr("Analysis page saved to %1").arg(path), 8000); });
  connect(analysis_, &AnalysisView::exportFailed, this,
          [this](const QString& message) { showError(tr("Export failed"), message); });
  return area;
}

/// The analysis and sweep pages need the height the curves share with the
/// layer tree: while either tab is shown the tree keeps only its minimum, and
/// the split the person had comes back with the Curves tab.
void MainWindow::fitWorkSplitToTab(int index) {
  if (plotTabs_->widget(index) == analysis_ || plotTabs_->widget(index) == sweep_) {
    if (curvesSplit_.isEmpty()) curvesSplit_ = workSplitter_->sizes();  // not the shrunk split of the other wide tab
    const int total = curvesSplit_.value(0) + curvesSplit_.value(1);
    const int tree = treePanel_->minimumSizeHint().height();
    if (total > tree) workSplitter_->setSizes({tree, total - tree});
  } else if (curvesSplit_.size() == 2) {
    workSplitter_->setSizes(curvesSplit_);
    curvesSplit_.clear();
  }
}

void MainWindow::showRunAnalysis(const QString& runDir) {
  analysis_->analyseRun(runDir);
  plotTabs_->setCurrentWidget(analysis_);
}

/// The Sweep tab's requests: an applied trial becomes the session's config.
void MainWindow::connectSweepView() {
  connect(sweep_, &SweepView::applyRequested, this, [this](const QByteArray& json, const QString& label) {
    if (controller_->isBusy()) {
      showError(QString(), tr("Stop the run before applying a trial."));
      return;
    }
    QString error;
    if (session_->setConfigJson(QString::fromUtf8(json), &error)) {
      statusBar()->showMessage(tr("Set up as the sweep's trial %1").arg(label), 8000);
    } else {
      showError(tr("Could not apply the trial"), error);
    }
  });
  connect(sweep_, &SweepView::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
  connect(sweep_, &SweepView::failed, this, [this](const QString& text) { showError(tr("Sweep"), text); });
}

void MainWindow::showSweepDialog() {
  if (controller_->isBusy() || sweep_->runner()->isRunning()) {
    showError(QString(), tr("Wait for the run or sweep to end before starting a sweep."));
    return;
  }
  auto* dialog = new SweepDialog(*session_, controller_->runsDirectory(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    if (sweep_->startSweep(dialog->configJson(), dialog->directory())) plotTabs_->setCurrentWidget(sweep_);
  });
  dialog->open();
}

bool MainWindow::openSweep(const QString& dir, QString* error) {
  if (!sweep_->openSweep(dir, error)) return false;
  plotTabs_->setCurrentWidget(sweep_);
  return true;
}

void MainWindow::openSweepDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open sweep"), controller_->runsDirectory());
  if (dir.isEmpty()) return;
  QString error;
  if (!openSweep(dir, &error)) showError(tr("Could not open the sweep"), error);
}

void MainWindow::buildToolBar() {
  QToolBar* bar = addToolBar(tr("Training"));
  bar->setObjectName(QStringLiteral("trainingToolBar"));  // for saveState()
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->setIconSize(QSize(16, 16));  // one slim row: laptop screens need the height for the plot
  bar->addAction(controls_->trainAction());
  bar->addAction(controls_->pauseAction());
  bar->addAction(controls_->stopAction());
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  presetActions_ << file->addAction(tr("&Open preset…"), QKeySequence::Open, this, &MainWindow::openPresetDialog);
  file->addAction(tr("&Save preset as…"), QKeySequence(Qt::CTRL | Qt::Key_S), this, &MainWindow::savePresetDialog);
  file->addSeparator();
  file->addAction(tr("Open &checkpoint…"), this, &MainWindow::openCheckpointDialog);
  file->addAction(tr("Open s&weep…"), this, &MainWindow::openSweepDialog);
  file->addAction(tr("&Import weights…"), QKeySequence(Qt::CTRL | Qt::Key_I), this,
                  &MainWindow::showImportWeightsDialog);
  exportModel_ = file->addAction(tr("&Export model…"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                                 &MainWindow::exportModelDialog);
  exportModel_->setObjectName(QStringLiteral("exportModelAction"));
  exportModel_->setToolTip(tr("Save the last run's trained model as safetensors with its metadata JSON"));
  exportModel_->setEnabled(false);
  file->addSeparator();
  file->addAction(tr("Export plot as &PNG…"), plot_, &LossPlot::exportPngWithDialog);
  file->addAction(tr("Export plot as P&DF…"), plot_, &LossPlot::exportPdfWithDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), this, &QWidget::close);

  buildLessonsMenu();

  QMenu* experiment = menuBar()->addMenu(tr("E&xperiment"));
  QAction* sweep = experiment->addAction(tr("S&weep…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), this,
                                         &MainWindow::showSweepDialog);
  sweep->setObjectName(QStringLiteral("sweepAction"));
  sweep->setStatusTip(tr("Run the experiment over frozen depths, learning rates or label counts, several seeds each"));
  presetActions_ << sweep;  // like a preset, a sweep waits for the run to end

  QMenu* training = menuBar()->addMenu(tr("&Training"));
  training->addAction(controls_->trainAction());
  training->addAction(controls_->pauseAction());
  training->addAction(controls_->stopAction());

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(findChild<QToolBar*>()->toggleViewAction());
  QAction* showSetup = view->addAction(tr("&Setup panels"));
  showSetup->setCheckable(true);
  showSetup->setChecked(true);
  connect(showSetup, &QAction::toggled, setupArea_, &QWidget::setVisible);
  view->addAction(tr("Reset plot &zoom"), plot_, &LossPlot::resetZoom);
  view->addAction(tr("Clear &plot"), plot_, &LossPlot::clear);
  QAction* showRuns = runsDock_->toggleViewAction();
  showRuns->setText(tr("&Runs"));
  showRuns->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  view->addAction(showRuns);
  view->addSeparator();
  (new PresentationMode(this))->addActionsTo(view);
  view->addSeparator();
  view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Transfer Lab"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

/// The teaching presets, two clicks (or one shortcut) away: Ctrl+1 … Ctrl+9
/// for the first nine, in the presets' own menu order.
void MainWindow::buildLessonsMenu() {
  lessonsMenu_ = menuBar()->addMenu(tr("&Lessons"));
  lessonsMenu_->setObjectName(QStringLiteral("lessonsMenu"));
  lessonsMenu_->setToolTipsVisible(true);
  std::vector<std::string> errors;
  const std::vector<Preset> presets = builtin_presets(&errors);
  for (size_t i = 0; i < presets.size(); ++i) {
    const Preset& preset = presets[i];
    const QString name = QString::fromStdString(preset.config.name);
    QAction* action = lessonsMenu_->addAction(QString(name).replace(QLatin1Char('&'), QStringLiteral("&&")));
    const QString path = QString::fromStdString(preset.path);
    action->setData(path);
    action->setStatusTip(QString::fromStdString(preset.config.description));
    if (i < 9) action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    connect(action, &QAction::triggered, this, [this, path, name] {
      if (loadPreset(path)) statusBar()->showMessage(tr("Opened the lesson %1").arg(name), 8000);
    });
    presetActions_ << action;
  }
  // A broken preset file is named rather than silently missing from the menu.
  if (!errors.empty()) lessonsMenu_->addSeparator();
  for (const std::string& error : errors) {
    QAction* broken = lessonsMenu_->addAction(tr("Could not read a preset (see tooltip)"));
    broken->setToolTip(QString::fromStdString(error));
    broken->setStatusTip(QString::fromStdString(error));
    broken->setEnabled(false);
  }
  if (presets.empty() && errors.empty()) {
    lessonsMenu_->addAction(tr("No presets in %1").arg(presets_directory()))->setEnabled(false);
  }
}

/// The run history under the work area; listed when shown and after each run.
void MainWindow::buildRunsDock() {
  runs_ = new RunsPanel;
  runsDock_ = new QDockWidget(tr("Runs"), this);
  runsDock_->setObjectName(QStringLiteral("runsDock"));  // for saveState()
  runsDock_->setWidget(runs_);
  addDockWidget(Qt::BottomDockWidgetArea, runsDock_);
  runsDock_->hide();
  connect(runsDock_, &QDockWidget::visibilityChanged, runs_, [this](bool visible) {
    if (visible) runs_->refresh();  // CLI runs may have been added meanwhile
  });
  // The Analyse step opens the dock: the table needs the window's width.
  auto* showHistory = new QPushButton(tr("Run history (Ctrl+R)"));
  showHistory->setObjectName(QStringLiteral("runHistoryButton"));
  showHistory->setToolTip(tr("Every run of this window and of transferlab-cli, below the curves"));
  showHistory->setCheckable(true);
  connect(showHistory, &QPushButton::toggled, runsDock_, &QDockWidget::setVisible);
  connect(runsDock_->toggleViewAction(), &QAction::toggled, showHistory, &QPushButton::setChecked);
  steps_->prependPanel(SetupStep::Analyse, showHistory);
  connect(runs_, &RunsPanel::rerunRequested, this, &MainWindow::rerun);
  connect(runs_, &RunsPanel::analysisRequested, this, &MainWindow::showRunAnalysis);
  connect(runs_, &RunsPanel::message, this, [this](const QString& text) { statusBar()->showMessage(text, 8000); });
}

/// Runs → Re-run: the recorded config becomes the session's, as a preset
/// would, and trains as the run was trained: over as many seeds, with its twin
/// when it had one.
void MainWindow::rerun(const QString& configJson, const QString& name, int seeds, bool twin) {
  if (controller_->isBusy()) {
    showError(QString(), tr("Stop the run before running another one."));
    return;
  }
  QString error;
  if (!session_->setConfigJson(configJson, &error)) {
    showError(tr("Could not load the run's config"), error);
    return;
  }
  RunOptions options;
  options.seeds = seeds;
  options.twin = twin;
  controls_->setRunOptions(options);
  statusBar()->showMessage(tr("Running %1 again").arg(name), 8000);
  startTraining();
}

void MainWindow::buildStatusBar() {
  progressLabel_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(220);
  progress_->setTextVisible(true);
  progress_->setFormat(QStringLiteral("%p%"));
  statusBar()->addPermanentWidget(progressLabel_);
  statusBar()->addPermanentWidget(progress_);
  showState(controller_->state());
}

void MainWindow::connectController() {
  connect(controller_, &TrainingController::stateChanged, this, &MainWindow::showState);
  connect(controller_, &TrainingController::runStarted, plot_, &LossPlot::beginRun);
  connect(controller_, &TrainingController::runStarted, this,
          [this](const QString&, int epochs, const QString& summary) {
            epochs_ = epochs;
            statusBar()->showMessage(summary, 10000);
          });
  connect(controller_, &TrainingController::batchTrained, this,
          [this](int epoch, int batch, int perEpoch, double loss, double progress, double eta) {
            plot_->addBatch(epoch, batch, perEpoch, loss);
            showBatch(epoch, batch, perEpoch, progress, eta);
          });
  connect(controller_, &TrainingController::epochFinished, plot_, &LossPlot::addEpoch);
  connect(controller_, &TrainingController::evaluating, this,
          [this] { progressLabel_->setText(tr("evaluating on the test set…")); });
  connect(controller_, &TrainingController::runFinished, this, &MainWindow::showRunFinished);
  connect(controller_, &TrainingController::runFinished, runs_, &RunsPanel::refresh);
  // The finished run's folder waits in the Analysis tab; analysing takes seconds, so only on request.
  connect(controller_, &TrainingController::runFinished, this, [this](TrainingController::State status) {
    if (status == TrainingController::State::Finished) analysis_->offerRun(controller_->lastRunDir());
  });
  connect(controller_, &TrainingController::historyWarning, this,
          [this](const QString& warning) { statusBar()->showMessage(warning, 15000); });
  connect(controller_, &TrainingController::layerDriftChanged, treePanel_->model(), &LayerTreeModel::setDrift);
  connect(controller_, &TrainingController::runStarted, treePanel_->model(), &LayerTreeModel::clearDrift);
  connect(controller_, &TrainingController::epochDiagnostics, this, &MainWindow::showDiagnostics);
  new ScheduleRunFollower(session_, controller_, treePanel_->model(), timeline_, this);
  connect(controller_, &TrainingController::runEvent, this,
          [this](double position, RunEventKind kind, const QString& details) {
            if (kind == RunEventKind::PlanChange) plot_->addMarker(position, planChangeMarkerLabel(details));
            if (kind == RunEventKind::Warning) statusBar()->showMessage(details, 15000);
          });
  connect(controller_, &TrainingController::stateChanged, this, &MainWindow::updateExportModelAction);
  connect(controller_, &TrainingController::runFinished, this, &MainWindow::updateExportModelAction);
  connectComparison();
}

void MainWindow::connectComparison() {
  connect(controller_, &TrainingController::jobStarted, plot_, &LossPlot::beginJob);
  connect(controller_, &TrainingController::jobStarted, this, [this](const JobIdentity& job) {
    job_ = job.index;
    jobs_ = job.count;
    jobLabel_ = QString::fromStdString(job_label(job));
  });
  connect(controller_, &TrainingController::comparisonFinished, verdict_, &VerdictBanner::showVerdict);
  connect(controller_, &TrainingController::comparisonFinished, lessonBar_, &LessonBar::showVerdict);
}

void MainWindow::showDiagnostics(int epoch, double domainAccuracy, double lambda, const QString& warning) {
  if (domainAccuracy >= 0.0 || lambda >= 0.0 || !warning.isEmpty()) dann_->show();
  dann_->addEpoch(epoch, domainAccuracy, lambda, warning);
  if (!warning.isEmpty()) statusBar()->showMessage(tr("Epoch %1: %2").arg(epoch).arg(warning), 15000);
}

QString MainWindow::statusText() const { return progressLabel_->text(); }

QString MainWindow::formatDuration(double seconds) {
  return QString::fromStdString(format_clock(seconds));
}

bool MainWindow::loadRunConfig(const QString& runDir, QString* error) {
  QFile file(QString::fromStdString(run_config_path(runDir.toStdString())));
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = tr("%1 cannot be read").arg(QDir::toNativeSeparators(file.fileName()));
    return false;
  }
  return session_->setConfigJson(QString::fromUtf8(file.readAll()), error);
}

bool MainWindow::startTraining() {
  if (controller_->isBusy()) return false;
  if (sweep_->runner()->isRunning()) {
    statusBar()->showMessage(tr("A sweep is running: its trials use the processor until it ends or is cancelled."), 8000);
    return false;
  }
  epochs_ = session_->epochs();
  runOptions_ = controls_->runOptions();
  job_ = 0;
  jobs_ = runOptions_.seeds * (runOptions_.twin ? 2 : 1);
  jobLabel_.clear();
  progress_->setValue(0);
  progressText_ = tr("epoch 1/%1").arg(epochs_);
  if (runOptions_.twin) {
    verdict_->showWaiting(tr("Comparing the transfer run with its twin over %n seed(s); the verdict appears here "
                             "when every pair has finished.", nullptr, runOptions_.seeds));
  } else {
    verdict_->clear();
  }
  dann_->beginRun();
  dann_->setVisible(session_->mitigations().dann);
  treePanel_->model()->clearDrift();  // the last run's drift says nothing about this one
  return controller_->startFromConfigJson(session_->configJson().toUtf8(), runOptions_);
}

void MainWindow::showState(TrainingController::State state) {
  using State = TrainingController::State;
  setEditingLocked(TrainingController::isBusyState(state));
  // A paused single run takes a new freeze plan (the tree's checkboxes) and
  // learning rate; they apply when it resumes and show as a marker on the plot.
  // Not under a schedule, which sets each epoch's plan itself (the tree's tooltips say so).
  if (state == State::Paused && !controller_->runOptions().isComparison() && session_->schedule().isDefault()) {
    treeLock_->setLocked(false);
  }
  switch (state) {
    case State::Idle: progressLabel_->setText(tr("ready")); break;
    case State::Preparing: progressLabel_->setText(tr("loading data and model…")); break;
    case State::Training: progressLabel_->setText(progressText_); break;
    case State::Paused: progressLabel_->setText(tr("paused · %1").arg(progressText_)); break;
    case State::Stopping: progressLabel_->setText(tr("stopping…")); break;
    default: break;  // the end states are shown by showRunFinished
  }
}

void MainWindow::showBatch(int epoch, int batch, int batchesPerEpoch, double progress, double etaSeconds) {
  Q_UNUSED(batch)
  Q_UNUSED(batchesPerEpoch)
  // A comparison's jobs share the bar; the ETA is the current job's.
  const double overall = (job_ + progress) / std::max(1, jobs_);
  progress_->setValue(static_cast<int>(std::lround(overall * 1000)));
  const QString eta = etaSeconds < 0 ? QStringLiteral("…") : formatDuration(etaSeconds);
  progressText_ = tr("epoch %1/%2 · ETA %3").arg(epoch).arg(epochs_).arg(eta);
  if (jobs_ > 1) {
    progressText_ = tr("run %1/%2 (%3) · %4").arg(job_ + 1).arg(jobs_).arg(jobLabel_, progressText_);
    // The runs left, each guessed as long as this one (a twin may train more layers).
    if (etaSeconds >= 0 && progress > 0.05 && job_ + 1 < jobs_) {
      const double allRuns = etaSeconds + (jobs_ - job_ - 1) * etaSeconds / (1.0 - std::min(progress, 0.99));
      progressText_ += tr(" (all runs ~%1)").arg(formatDuration(allRuns));
    }
  }
  // Paused and stopping keep their label; batches queued before the pause still arrive.
  if (controller_->state() == TrainingController::State::Training) progressLabel_->setText(progressText_);
}

void MainWindow::showRunFinished(TrainingController::State status, const QString& message, double testAccuracy) {
  using State = TrainingController::State;
  const QString where = controller_->lastRunDir();
  if (runOptions_.twin && !verdict_->label()) {
    verdict_->showWaiting(status == State::Failed ? tr("No verdict: a run of the comparison failed.")
                                                  : tr("No verdict: the comparison was stopped before every seed's "
                                                       "pair finished."));
  }
  if (status == State::Finished) {
    progress_->setValue(progress_->maximum());
    progressLabel_->setText(tr("finished · test accuracy %1 %").arg(100.0 * testAccuracy, 0, 'f', 1));
    if (!where.isEmpty()) statusBar()->showMessage(tr("Run saved to %1").arg(shortRunPath(where)));
  } else if (status == State::Cancelled) {
    progressLabel_->setText(tr("stopped"));
    if (!where.isEmpty()) statusBar()->showMessage(tr("Stopped; partial run saved to %1").arg(shortRunPath(where)));
  } else {
    progressLabel_->setText(tr("failed"));
    showError(tr("Training failed"), message);
  }
}

void MainWindow::showError(const QString& title, const QString& message) {
  statusBar()->showMessage(message, 15000);
  if (!interactive_) {
    const QString line = title.isEmpty() ? message : title + QStringLiteral(": ") + message;
    std::fprintf(stderr, "transferlab: %s\n", qUtf8Printable(line));
    return;
  }
  // open(), not exec(): the event loop and a running training keep going.
  auto* box = new QMessageBox(QMessageBox::Warning, title.isEmpty() ? tr("Transfer Lab") : title, message,
                              QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::setEditingLocked(bool locked) {
  for (QWidget* panel : setupPanels_) panel->setEnabled(!locked);
  for (QAction* action : presetActions_) action->setEnabled(!locked);
  treeLock_->setLocked(locked);
}

bool MainWindow::loadPreset(const QString& path, QString* error) {
  QString message;
  if (controller_->isBusy()) {
    message = tr("Stop the run before opening a preset.");
  } else if (session_->loadConfigFile(path, &message) && startLesson(&message)) {
    return true;
  }
  showError(QString(), message);
  if (error) *error = message;
  return false;
}

bool MainWindow::startLesson(QString* error) {
  QString why;
  if (lessonBar_->start(session_->lesson(), &why)) return true;
  *error = tr("%1 is loaded, but its lesson cannot start: %2").arg(session_->experimentName(), why);
  return false;
}

/// The parts a lesson step may name, by the names lesson files use (README,
/// "Writing a lesson"). A setup step or plot tab highlighted becomes the
/// current one; a control is scrolled into view on its step.
void MainWindow::registerWindowParts() {
  const std::pair<const char*, SetupStep> steps[] = {{"model_step", SetupStep::Model},
                                                     {"data_step", SetupStep::Data},
                                                     {"strategy_step", SetupStep::Strategy},
                                                     {"train_step", SetupStep::Train},
                                                     {"analyse_step", SetupStep::Analyse}};
  for (const auto& [name, step] : steps) parts_->addTab(QString::fromLatin1(name), steps_->tabs(), steps_->stepArea(step));
  const auto onStep = [this](SetupStep step, QWidget* widget) { return [this, step, widget] { steps_->reveal(step, widget); }; };
  auto* strategy = findChild<StrategyPanel*>();
  parts_->add(QStringLiteral("strategy"), strategy, onStep(SetupStep::Strategy, strategy));
  parts_->add(QStringLiteral("similarity_meter"), similarity_, onStep(SetupStep::Strategy, similarity_));
  parts_->add(QStringLiteral("mitigations"), mitigations_, onStep(SetupStep::Strategy, mitigations_));
  parts_->add(QStringLiteral("schedule"), strategy->scheduleEditor(), onStep(SetupStep::Strategy, strategy->scheduleEditor()));
  parts_->add(QStringLiteral("twin"), controls_->twinBox(), onStep(SetupStep::Train, controls_->twinBox()));
  parts_->add(QStringLiteral("seeds"), controls_->seedsBox(), onStep(SetupStep::Train, controls_->seedsBox()));
  auto* toolBar = findChild<QToolBar*>(QStringLiteral("trainingToolBar"));
  parts_->add(QStringLiteral("train_button"), toolBar->widgetForAction(controls_->trainAction()));
  parts_->add(QStringLiteral("layer_tree"), treePanel_);
  parts_->addTab(QStringLiteral("curves"), plotTabs_, plotTabs_->widget(0));
  parts_->add(QStringLiteral("timeline"), timeline_, [this] { plotTabs_->setCurrentIndex(0); });
  parts_->addTab(QStringLiteral("analysis_tab"), plotTabs_, analysis_);
  parts_->addTab(QStringLiteral("sweep_tab"), plotTabs_, sweep_);
  parts_->add(QStringLiteral("verdict"), verdict_);
  parts_->add(QStringLiteral("dann_panel"), dann_);
  // The window's edit lock outlasts a step's: put back what a step's undo released during a run.
  connect(lessonBar_->effects(), &StepEffects::undone, this, [this] {
    if (controller_->isBusy()) setEditingLocked(true);
  });
}

void MainWindow::openPresetDialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open preset"), presets_directory(), tr("Experiment presets (*.json)"));
  if (path.isEmpty()) return;
  if (loadPreset(path)) statusBar()->showMessage(tr("Opened %1").arg(path), 8000);
}

void MainWindow::savePresetDialog() {
  const QString suggested = QDir::home().filePath(session_->experimentName() + QStringLiteral(".json"));
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Save preset as"), suggested, tr("Experiment presets (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (session_->saveConfigFile(path, &error)) statusBar()->showMessage(tr("Saved %1").arg(path), 8000);
  else showError(tr("Could not save the preset"), error);
}

void MainWindow::openCheckpointDialog() {
  const QString models = QDir(QString::fromStdString(resource_dir())).filePath(QStringLiteral("models"));
  const QString path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), models,
                                                    tr("Checkpoints (*.safetensors *.pt);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;  // on error the session keeps the previous model
  if (session_->setModel(path, &error)) statusBar()->showMessage(tr("Loaded %1").arg(path), 8000);
  else showError(QString(), error);
}

void MainWindow::updateExportModelAction() {
  exportModel_->setEnabled(!controller_->isBusy() && !exportedModelIn(controller_->lastRunDir()).isEmpty());
}

bool MainWindow::exportModelTo(const QString& path, QString* error) {
  return copyExportedModel(controller_->lastRunDir(), path, error);
}

void MainWindow::exportModelDialog() {
  if (!exportModel_->isEnabled()) return;
  const QString suggested = QDir(controller_->lastRunDir()).dirName() + QStringLiteral(".safetensors");
  const QString path = QFileDialog::getSaveFileName(this, tr("Export model"), QDir::home().filePath(suggested),
                                                    tr("Safetensors (*.safetensors)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportModelTo(path, &error)) {
    showError(tr("Export failed"), error);
    return;
  }
  statusBar()->showMessage(tr("Model saved to %1 and %2").arg(path, metadataPathFor(path)), 8000);
}

ImportWeightsDialog* MainWindow::showImportWeightsDialog() {
  if (!importDialog_) {
    importDialog_ = new ImportWeightsDialog(this);
    connect(importDialog_, &ImportWeightsDialog::imported, this, &MainWindow::adoptImportedModel);
  }
  importDialog_->show();
  importDialog_->raise();
  return importDialog_;
}

void MainWindow::adoptImportedModel(const QString& path) {
  if (auto* picker = findChild<ModelPicker*>()) picker->rememberModel(path);
  // While a run is busy the setup is locked; the model waits in the picker.
  if (controller_->isBusy()) {
    statusBar()->showMessage(tr("Imported %1; choose it in the model picker after this run").arg(path), 8000);
    return;
  }
  QString error;
  if (session_->setModel(path, &error)) statusBar()->showMessage(tr("Imported and loaded %1").arg(path), 8000);
  else showError(QString(), error);
}

void MainWindow::showAbout() {
  QMessageBox::about(
      this, tr("About Transfer Lab"),
      tr("<h3>Transfer Lab %1</h3>"
         "<p>A laboratory for transfer learning: pick a pretrained model, freeze layers, choose a strategy "
         "and watch the curves while LibTorch trains in the background.</p>"
         "<p>Every run is saved as run.json and metrics.csv under<br><tt>%2</tt><br>and can be repeated with "
         "<tt>transferlab-cli run</tt> on a preset saved with File → Save preset as….</p>")
          .arg(QApplication::applicationVersion(), controller_->runsDirectory().toHtmlEscaped()));
}

/// The default split: setup column as narrow as its content allows, and
/// below the tree more height for the curves than for the tree, since during
/// training the curves are what one watches.
void MainWindow::resetLayout() {
  const int setupWidth = setupArea_->minimumSizeHint().width();
  mainSplitter_->setSizes({setupWidth, std::max(1, width() - setupWidth)});
  const int workHeight = std::max(2, height() - menuBar()->sizeHint().height() - statusBar()->sizeHint().height());
  workSplitter_->setSizes({workHeight * 2 / 5, workHeight - workHeight * 2 / 5});
}

void MainWindow::restoreLayout() {
  sweep_->reopenLastSweep();
  QSettings settings;
  const int step = settings.value(kSetupStepKey, 0).toInt();
  if (step >= 0 && step < kSetupStepCount) steps_->showStep(static_cast<SetupStep>(step));
  if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) return;
  restoreState(settings.value(kStateKey).toByteArray());
  mainSplitter_->restoreState(settings.value(kMainSplitterKey).toByteArray());
  workSplitter_->restoreState(settings.value(kWorkSplitterKey).toByteArray());
}

bool MainWindow::restoreLastConfig() {
  const QString json = QSettings().value(kConfigKey).toString();
  if (json.isEmpty()) return false;
  QString error;
  if (session_->setConfigJson(json, &error)) return true;
  statusBar()->showMessage(tr("The last session could not be restored: %1").arg(error), 15000);
  return false;
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
  settings.setValue(kMainSplitterKey, mainSplitter_->saveState());
  settings.setValue(kWorkSplitterKey, workSplitter_->saveState());
  settings.setValue(kSetupStepKey, static_cast<int>(steps_->currentStep()));
  settings.setValue(kConfigKey, session_->configJson());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // Joins the training thread: nothing of the run outlives the window.
  if (controller_->isBusy()) controller_->stopAndWait();
  if (persistSettings_) saveSettings();
  event->accept();
}

}  // namespace tl
