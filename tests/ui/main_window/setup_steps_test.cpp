#include "main_window/main_window.h"
#include "main_window/setup_steps.h"
#include "main_window/training_controls.h"

#include "panels/data_panel.h"
#include "panels/model_picker.h"
#include "panels/strategy_panel.h"
#include "probe/probe_panel.h"
#include "support/batch_window.h"
#include "support/step_controls.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

namespace tl {
namespace {

int indexOf(SetupStep step) { return static_cast<int>(step); }

class SetupStepsWindow : public ::testing::TestWithParam<QSize> {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }

  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
  }

  void showAt(const QSize& size) {
    window.resize(size);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ASSERT_EQ(window.size(), size);
  }

  SetupSteps* steps() const { return window.setupSteps(); }

  QTemporaryDir runs;
  MainWindow window;
};

TEST_P(SetupStepsWindow, EveryStepsNameIsVisible) {
  showAt(GetParam());
  QTabBar* bar = steps()->tabs()->tabBar();
  ASSERT_EQ(bar->count(), kSetupStepCount);
  for (int i = 0; i < kSetupStepCount; ++i) {
    EXPECT_EQ(bar->tabText(i), setupStepTitle(static_cast<SetupStep>(i)));
    const QRect tab(bar->mapTo(&window, bar->tabRect(i).topLeft()), bar->tabRect(i).size());
    EXPECT_TRUE(bar->rect().contains(bar->tabRect(i))) << bar->tabText(i).toStdString();
    EXPECT_TRUE(window.rect().contains(tab)) << bar->tabText(i).toStdString();
    EXPECT_GE(bar->tabRect(i).width(), bar->fontMetrics().horizontalAdvance(bar->tabText(i)));
  }
}

TEST_P(SetupStepsWindow, EveryStepsMainControlIsInViewWithoutScrolling) {
  showAt(GetParam());
  for (int i = 0; i < kSetupStepCount; ++i) {
    const auto step = static_cast<SetupStep>(i);
    steps()->showStep(step);
    QCoreApplication::processEvents();
    QScrollArea* area = steps()->stepArea(step);
    ASSERT_EQ(area->verticalScrollBar()->value(), 0);
    const QRect viewport = test::rectIn(&window, area->viewport());
    for (QWidget* control : test::stepMainControls(window, step)) {
      ASSERT_NE(control, nullptr) << setupStepTitle(step).toStdString();
      const std::string what = setupStepTitle(step).toStdString() + ": " + control->metaObject()->className() +
                               " " + control->objectName().toStdString();
      EXPECT_TRUE(control->isVisible()) << what;
      EXPECT_TRUE(viewport.contains(test::rectIn(&window, control))) << what;
      EXPECT_TRUE(window.rect().contains(test::rectIn(&window, control))) << what;
      EXPECT_EQ(control->visibleRegion().boundingRect(), control->rect()) << what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ProjectorAndLaptop, SetupStepsWindow,
                         ::testing::Values(QSize(1024, 768), QSize(1280, 800)),
                         [](const ::testing::TestParamInfo<QSize>& info) {
                           return QStringLiteral("%1x%2").arg(info.param.width()).arg(info.param.height()).toStdString();
                         });

class SetupStepsKeys : public SetupStepsWindow {};

TEST_F(SetupStepsKeys, AltAndTheStepsNumberOpenTheStep) {
  showAt(QSize(1280, 800));
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  for (int i = kSetupStepCount - 1; i >= 0; --i) {
    QTest::keyClick(&window, static_cast<Qt::Key>(Qt::Key_1 + i), Qt::AltModifier);
    EXPECT_EQ(steps()->currentStep(), static_cast<SetupStep>(i)) << "Alt+" << i + 1;
  }
}

TEST_F(SetupStepsKeys, TheWheelOverTheStepTabsLeavesTheOpenStep) {
  showAt(QSize(1024, 768));
  steps()->showStep(SetupStep::Data);
  QTabBar* bar = steps()->tabs()->tabBar();
  for (const int delta : {-120, 120, 120}) {
    const QPointF at = bar->tabRect(indexOf(SetupStep::Strategy)).center();
    QWheelEvent wheel(at, bar->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(bar, &wheel);
    EXPECT_EQ(steps()->currentStep(), SetupStep::Data) << delta;
  }
}

TEST_F(SetupStepsKeys, TheAnalyseStepAndCtrlROpenAndCloseTheRunHistory) {
  showAt(QSize(1280, 800));
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  steps()->showStep(SetupStep::Analyse);
  auto* history = window.findChild<QPushButton*>(QStringLiteral("runHistoryButton"));
  ASSERT_NE(history, nullptr);
  ASSERT_FALSE(window.runsDock()->isVisible());
  history->click();
  EXPECT_TRUE(window.runsDock()->isVisible());
  QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
  EXPECT_FALSE(window.runsDock()->isVisible());
  EXPECT_FALSE(history->isChecked());
  QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
  EXPECT_TRUE(window.runsDock()->isVisible());
  EXPECT_TRUE(history->isChecked());
}

TEST_F(SetupStepsKeys, TheCurrentStepIsKeptAcrossRestarts) {
  window.setPersistSettings(true);
  steps()->showStep(SetupStep::Train);
  window.close();
  MainWindow next;
  test::makeBatchWindow(next, runs.path());
  EXPECT_EQ(next.setupSteps()->currentStep(), SetupStep::Model);
  next.restoreLayout();
  EXPECT_EQ(next.setupSteps()->currentStep(), SetupStep::Train);
}

class SetupStepsLayout : public SetupStepsWindow {};

// Presentation mode enlarges the application's font: the column follows.
TEST_F(SetupStepsLayout, ALargerFontWidensTheColumnToItsPages) {
  const int before = steps()->tabs()->minimumWidth();
  QFont larger = window.font();
  larger.setPointSizeF(larger.pointSizeF() * 1.5);
  window.setFont(larger);
  QCoreApplication::processEvents();
  EXPECT_GT(steps()->tabs()->minimumWidth(), before);
  for (int i = 0; i < kSetupStepCount; ++i) {
    QScrollArea* area = steps()->stepArea(static_cast<SetupStep>(i));
    EXPECT_GE(area->minimumWidth(), area->widget()->minimumSizeHint().width());
  }
}

}  // namespace
}  // namespace tl
