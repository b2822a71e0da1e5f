#include "analysis/analysis_view.h"

#include "analysis/analysis_files.h"

#include "history/run_history.h"
#include "layer_tree/layer_tree_panel.h"
#include "main_window/main_window.h"
#include "plot/qcustomplot_no_keywords.h"
#include "runs/runs_panel.h"
#include "support/analysis_window.h"
#include "support/ui_wait.h"
#include "tasks/background_task.h"
#include "session/experiment_session.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QDir>
#include <QFontMetrics>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

namespace tl {
namespace {

/// The window's Analysis tab beside the curves.
using AnalysisTabTest = test::AnalysisWindowTest;

TEST_F(AnalysisTabTest, CurvesAnalysisAndSweepAreTabsAndCtrlShiftASwitches) {
  QTabWidget* tabs = window.plotTabs();
  ASSERT_EQ(tabs->count(), 3);
  EXPECT_EQ(tabs->tabText(0), QStringLiteral("Curves"));
  EXPECT_EQ(tabs->tabText(1), QStringLiteral("Analysis"));
  EXPECT_EQ(tabs->tabText(2), QStringLiteral("Sweep"));
  EXPECT_EQ(tabs->widget(1), window.analysisView());
  EXPECT_EQ(tabs->currentIndex(), 0);
  window.show();
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  QTest::keyClick(&window, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(tabs->currentWidget(), window.analysisView());
  QTest::keyClick(&window, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(tabs->currentIndex(), 0);
}

TEST_F(AnalysisTabTest, TheAnalysisTabTakesTheTreesHeightAndTheCurvesGiveItBack) {
  window.resize(1280, 800);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  auto* tree = window.findChild<LayerTreePanel*>();
  ASSERT_NE(tree, nullptr);
  const int curvesTreeHeight = tree->height();
  const int curvesTabsHeight = window.plotTabs()->height();
  ASSERT_GT(curvesTreeHeight, tree->minimumSizeHint().height() + 50);

  window.plotTabs()->setCurrentWidget(window.analysisView());
  EXPECT_LE(tree->height(), tree->minimumSizeHint().height() + 10);
  EXPECT_GT(window.plotTabs()->height(), curvesTabsHeight + 50);

  window.plotTabs()->setCurrentIndex(0);
  EXPECT_EQ(tree->height(), curvesTreeHeight);
  EXPECT_EQ(window.plotTabs()->height(), curvesTabsHeight);
}

TEST_F(AnalysisTabTest, AFinishedRunWaitsInTheTabAndRunsAnalyseComputesIt) {
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(QStringLiteral(R"({"name": "analysis tab test",
    "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1], "shots_per_class": 10, "test_per_class": 20},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": 1, "batch_size": 16, "seed": 3}})"),
                                              &error))
      << error.toStdString();
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return !window.controller()->isBusy(); }, 60000));
  ASSERT_EQ(window.controller()->state(), TrainingController::State::Finished);
  AnalysisView* view = window.analysisView();
  const QString runDir = window.controller()->lastRunDir();
  // Offered, not started: analysing takes seconds.
  EXPECT_EQ(view->runDir(), runDir);
  EXPECT_FALSE(view->task()->isRunning());
  EXPECT_EQ(view->analyseButton()->text(), QStringLiteral("Analyse this run"));

  view->setRun(QString());
  RunsPanel* runsPanel = window.runsPanel();
  const auto recorded = RunHistory(runsPanel->historyPath().toStdString()).list({"analysis tab test", ""});
  ASSERT_EQ(recorded.size(), 1u);
  runsPanel->selectRuns({recorded[0].id});
  ASSERT_TRUE(runsPanel->analyseAction()->isEnabled());
  QSignalSpy shown(view, &AnalysisView::analysisShown);
  runsPanel->analyseAction()->trigger();
  EXPECT_EQ(window.plotTabs()->currentWidget(), view);
  EXPECT_EQ(view->runDir(), runDir);
  ASSERT_TRUE(test::wait_until([&] { return shown.count() > 0 || !view->task()->isRunning(); }, 20000));
  ASSERT_EQ(shown.count(), 1) << view->message().toStdString();
  EXPECT_EQ(view->analysis()->transfer.matrix.total(), 40);
  EXPECT_TRUE(AnalysisView::hasStoredAnalysis(runDir));
}

TEST_F(AnalysisTabTest, InA1280x800WindowTheConfusionCellsAreSquareAndHoldThreeDigitCounts) {
  // The default preset's run: five target classes of 500 test images.
  const QString dir = QDir(runs.path()).filePath(QStringLiteral("five-classes"));
  write_analysis(test::analysisOf(dir.toStdString(), test::diagonalMatrix(5, 500, 482),
                                  test::diagonalMatrix(5, 500, 311)),
                 analysis_dir(dir.toStdString()));
  window.resize(1280, 800);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  AnalysisView* view = window.analysisView();
  window.plotTabs()->setCurrentWidget(view);
  QSignalSpy shown(view, &AnalysisView::analysisShown);
  view->setRun(dir);
  ASSERT_TRUE(test::wait_until([&] { return shown.count() > 0; }, 20000)) << view->message().toStdString();
  QCoreApplication::processEvents();  // the layout after the message
  ConfusionPlot* plot = view->confusionPlot();
  using Panel = ConfusionPlot::Panel;
  EXPECT_EQ(plot->cellText(Panel::Transfer, 0, 0), QStringLiteral("482"));
  EXPECT_EQ(plot->cellText(Panel::Difference, 0, 0), QStringLiteral("+171"));
  for (const Panel panel : {Panel::Transfer, Panel::Twin, Panel::Difference}) {
    const QRect cell = plot->cellRect(panel, 0, 0);
    EXPECT_NEAR(cell.width(), cell.height(), 1) << "panel " << static_cast<int>(panel);
    const std::optional<QFont> font = plot->cellFont(panel);
    ASSERT_TRUE(font.has_value()) << "panel " << static_cast<int>(panel) << ": cells of " << cell.width() << " px";
    const QFontMetrics metrics(*font, plot->customPlot());
    for (int row = 0; row < plot->classes(); ++row) {
      for (int col = 0; col < plot->classes(); ++col) {
        EXPECT_LE(metrics.horizontalAdvance(plot->cellText(panel, row, col)), cell.width());
      }
    }
  }
}

}  // namespace
}  // namespace tl
