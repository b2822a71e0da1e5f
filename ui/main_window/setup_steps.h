#pragma once

#include "main_window/step_summary.h"
#include "training/training_controller.h"

#include <QList>
#include <QString>
#include <QWidget>

#include <array>

class QLabel;
class QScrollArea;
class QTabWidget;
class QVBoxLayout;

namespace tl {

class ExperimentSession;
class FolderPreview;
struct FolderSummary;

/// The setup as the steps of an experiment: Model → Data → Strategy → Train
/// → Analyse, one tab each ("1 Model", …; Alt+1 … Alt+5), every page in its
/// own vertical scroll area. Above the tabs a strip lists each step's one-line
/// summary, so the whole experiment reads at a glance whichever step is open;
/// a step whose input core would refuse carries a warning icon on its tab and
/// "needs attention: <reason>" in the strip. The wheel never changes a control
/// the pointer merely crosses (WheelGuard over the whole setup), nor switches
/// the step under the pointer. The column's minimum width follows its widest
/// page up to maxColumnWidth(), so presentation mode fits a 1024×768 projector.
class SetupSteps : public QWidget {
  Q_OBJECT

 public:
  SetupSteps(ExperimentSession* session, TrainingController* controller, QWidget* parent = nullptr);

  /// Appends panels to a step's page, top to bottom.
  void addPanels(SetupStep step, const QList<QWidget*>& panels);
  /// Puts a panel at the top of a step's page.
  void prependPanel(SetupStep step, QWidget* panel);
  /// Marks the Data step while the session's image folder failed to load.
  void watchFolderPreview(FolderPreview* preview);

  QTabWidget* tabs() const { return tabs_; }
  QScrollArea* stepArea(SetupStep step) const;
  SetupStep currentStep() const;
  void showStep(SetupStep step);
  /// Opens `step` and scrolls its page to `widget`.
  void reveal(SetupStep step, QWidget* widget);

  /// The step's line in the summary strip, without its title.
  QString summaryText(SetupStep step) const;
  /// Why the step's input would be refused; "" when it is fine.
  QString problem(SetupStep step) const;

  /// The widest the column's minimum gets, whatever the font: a page wider
  /// than this scrolls sideways.
  static int maxColumnWidth();

 public Q_SLOTS:
  /// Rewrites the summaries and marks from the session and the last run.
  void refresh();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  QWidget* buildSummaryStrip();
  void buildPage(SetupStep step);
  void addShortcuts();
  void fitWidthToPages();
  void fitStepNames(int maxWidth);
  void showFolderLoad(const FolderSummary& summary);
  QString summaryOf(SetupStep step) const;
  void showStepState(SetupStep step, const QString& summary, const QString& problem);

  ExperimentSession* session_;
  QTabWidget* tabs_;
  std::array<QScrollArea*, kSetupStepCount> areas_{};
  std::array<QVBoxLayout*, kSetupStepCount> columns_{};
  std::array<QLabel*, kSetupStepCount> marks_{};
  std::array<QLabel*, kSetupStepCount> summaries_{};
  std::array<QString, kSetupStepCount> problems_;
  TrainingController::State lastRun_ = TrainingController::State::Idle;
  double testAccuracy_ = -1.0;
  QString failedFolder_;  ///< the image folder whose last load failed
  QString folderError_;   ///< and why
};

}  // namespace tl
