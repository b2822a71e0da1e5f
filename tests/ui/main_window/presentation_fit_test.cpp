// Presentation mode on a 1024×768 projector: at the smallest and the largest
// factor the window fits, the curves and the layer tree stay in view, every
// step's name is whole and its main control reachable, the legend keeps to two rows.
#include "layer_tree/layer_tree_panel.h"
#include "lesson/lesson_bar.h"
#include "main_window/main_window.h"
#include "main_window/presentation_mode.h"
#include "main_window/setup_steps.h"
#include "main_window/training_controls.h"
#include "panels/data_panel.h"
#include "panels/model_picker.h"
#include "panels/strategy_panel.h"
#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "probe/probe_panel.h"
#include "style/presentation_scale.h"
#include "support/batch_window.h"
#include "support/step_controls.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>

#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

namespace tl {
namespace {

/// A 1024×768 projector's screen less a window manager's title bar and panel.
const QSize kProjectorWindow(1024, 768 - 48);

class PresentationFit : public ::testing::TestWithParam<double> {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }

  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
    mode = window.findChild<PresentationMode*>();
    ASSERT_NE(mode, nullptr);
    mode->setPersistent(false);
    mode->setFactor(GetParam());
    mode->setOn(true);
    window.resize(kProjectorWindow);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    // The column refits once every panel has the new font; the window lays out again.
    QTest::qWait(100);
  }

  void TearDown() override { PresentationScale::instance()->setFactor(1.0); }

  SetupSteps* steps() const { return window.setupSteps(); }

  QTemporaryDir runs;
  MainWindow window;
  PresentationMode* mode = nullptr;
};

TEST_P(PresentationFit, TheWindowFitsTheProjectorsScreen) {
  ASSERT_DOUBLE_EQ(PresentationScale::instance()->factor(), GetParam());
  EXPECT_LE(window.minimumSizeHint().width(), kProjectorWindow.width());
  EXPECT_LE(window.minimumSizeHint().height(), kProjectorWindow.height());
  EXPECT_LE(steps()->minimumSizeHint().width(), SetupSteps::maxColumnWidth());
  EXPECT_EQ(window.size(), kProjectorWindow);
}

// The tour starts with the default preset: its lesson bar must not widen the
// window, on any step a class reaches before the run.
TEST_P(PresentationFit, TheWindowFitsWithTheTourRunning) {
  QString error;
  ASSERT_TRUE(window.loadPreset(QString::fromStdString(resource_dir() + "/presets/default.json"), &error))
      << error.toStdString();
  LessonBar* bar = window.lessonBar();
  ASSERT_TRUE(bar->isRunning());
  for (int step = 0; step < bar->stepCount(); ++step) {
    if (bar->advanceTo(step, QStringLiteral("yes")) != step) break;  // the reveal waits for the run
    QCoreApplication::processEvents();
    EXPECT_LE(window.minimumSizeHint().width(), kProjectorWindow.width())
        << "step " << step << ": the lesson bar's minimum width " << bar->minimumSizeHint().width();
    EXPECT_LE(window.minimumSizeHint().height(), kProjectorWindow.height()) << "step " << step;
  }
}

TEST_P(PresentationFit, TheCurvesAndTheLayerTreeStayInView) {
  QWidget* plot = window.lossPlot();
  QWidget* tree = window.layerTreePanel();
  for (QWidget* part : {plot, tree}) {
    EXPECT_TRUE(part->isVisible()) << part->metaObject()->className();
    EXPECT_TRUE(window.rect().contains(test::rectIn(&window, part))) << part->metaObject()->className();
    EXPECT_FALSE(test::rectIn(&window, part).intersects(test::rectIn(&window, steps()))) << part->metaObject()->className();
  }
  EXPECT_FALSE(test::rectIn(&window, plot).intersects(test::rectIn(&window, tree)));
  EXPECT_GE(plot->width(), 320);
  EXPECT_GE(plot->height(), 240);
  EXPECT_GE(tree->width(), 320);
  EXPECT_GE(tree->height(), 90);
}

TEST_P(PresentationFit, EveryStepsNameIsWhole) {
  QTabBar* bar = steps()->tabs()->tabBar();
  EXPECT_GE(bar->font().pointSizeF(), PresentationScale::instance()->baseFont().pointSizeF());
  for (int i = 0; i < bar->count(); ++i) {
    EXPECT_TRUE(window.rect().contains(QRect(bar->mapTo(&window, bar->tabRect(i).topLeft()), bar->tabRect(i).size())));
    EXPECT_GE(bar->tabRect(i).width(), bar->fontMetrics().horizontalAdvance(bar->tabText(i)));
  }
}

// The column may scroll down at this size (only 1280×800 in the normal mode
// must show every main control at once), never sideways to a main control.
TEST_P(PresentationFit, EveryStepsMainControlIsReachableByScrollingDown) {
  for (int i = 0; i < kSetupStepCount; ++i) {
    const auto step = static_cast<SetupStep>(i);
    steps()->showStep(step);
    QCoreApplication::processEvents();
    QScrollArea* area = steps()->stepArea(step);
    for (QWidget* control : test::stepMainControls(window, step)) {
      ASSERT_NE(control, nullptr) << setupStepTitle(step).toStdString();
      const std::string what = setupStepTitle(step).toStdString() + ": " + control->metaObject()->className();
      area->ensureWidgetVisible(control, 0, 0);
      EXPECT_EQ(area->horizontalScrollBar()->value(), 0) << what;
      EXPECT_TRUE(control->isVisible()) << what;
      EXPECT_TRUE(test::rectIn(&window, area->viewport()).contains(test::rectIn(&window, control))) << what;
      EXPECT_TRUE(window.rect().contains(test::rectIn(&window, control))) << what;
    }
  }
}

TEST_P(PresentationFit, TheLegendTakesAtMostTwoRows) {
  QCPLegend* legend = window.lossPlot()->customPlot()->legend;
  ASSERT_GE(legend->itemCount(), 4);
  int rows = 0;
  for (int row = 0; row < legend->rowCount(); ++row) {
    bool used = false;
    for (int column = 0; column < legend->columnCount(); ++column) used = used || legend->hasElement(row, column);
    rows += used ? 1 : 0;
  }
  EXPECT_LE(rows, 2);
  EXPECT_LE(legend->outerRect().right(), window.lossPlot()->customPlot()->width());
}

INSTANTIATE_TEST_SUITE_P(SmallestAndLargestFactor, PresentationFit,
                         ::testing::Values(PresentationMode::kMinFactor, PresentationMode::kMaxFactor),
                         [](const ::testing::TestParamInfo<double>& info) {
                           return QStringLiteral("x%1").arg(info.param * 100).toStdString();
                         });

}  // namespace
}  // namespace tl
