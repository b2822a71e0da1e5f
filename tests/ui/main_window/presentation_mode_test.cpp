// Presentation mode: View menu and F11, the factor by Ctrl+= / Ctrl+-, kept in the settings.
#include "main_window/main_window.h"
#include "main_window/presentation_mode.h"
#include "main_window/training_controls.h"
#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/presentation_scale.h"
#include "support/batch_window.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QTest>

#include <memory>

namespace tl {
namespace {

std::unique_ptr<MainWindow> make_window() {
  auto window = std::make_unique<MainWindow>();
  window->setInteractive(false);
  window->setPersistSettings(false);
  return window;
}

PresentationMode* mode_of(const MainWindow& window) { return window.findChild<PresentationMode*>(); }

double validation_pen_width(const MainWindow& window) {
  QCustomPlot* plot = window.lossPlot()->customPlot();
  for (int i = 0; i < plot->graphCount(); ++i) {
    if (plot->graph(i)->name() == QStringLiteral("validation accuracy")) return plot->graph(i)->pen().widthF();
  }
  ADD_FAILURE() << "no validation accuracy curve";
  return 0.0;
}

class PresentationModeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  // Other tests' windows and plots must start in the normal mode.
  void SetUp() override { forget(); }
  void TearDown() override {
    forget();
    PresentationScale::instance()->setFactor(1.0);
  }
  static void forget() {
    QSettings settings;
    settings.remove(QStringLiteral("view/presentationMode"));
    settings.remove(QStringLiteral("view/presentationFactor"));
  }
};

TEST_F(PresentationModeTest, IsInTheViewMenuOnF11AndOffAtFirst) {
  const auto window = make_window();
  PresentationMode* mode = mode_of(*window);
  ASSERT_NE(mode, nullptr);
  EXPECT_FALSE(mode->isOn());
  EXPECT_EQ(mode->toggleAction()->shortcut(), QKeySequence(Qt::Key_F11));
  bool inViewMenu = false;
  for (QAction* menu : window->menuBar()->actions()) {
    if (menu->text() == QStringLiteral("&View")) inViewMenu = menu->menu()->actions().contains(mode->toggleAction());
  }
  EXPECT_TRUE(inViewMenu);
}

TEST_F(PresentationModeTest, TogglingScalesTheWindowFontAndThePlotsPensByTheFactor) {
  const auto window = make_window();
  PresentationMode* mode = mode_of(*window);
  const double font = window->font().pointSizeF();
  const double pen = validation_pen_width(*window);
  ASSERT_GT(font, 0.0);

  mode->toggleAction()->trigger();
  ASSERT_TRUE(mode->isOn());
  EXPECT_DOUBLE_EQ(mode->factor(), PresentationMode::kDefaultFactor);
  EXPECT_NEAR(window->font().pointSizeF(), font * mode->factor(), 1e-6);
  EXPECT_NEAR(window->trainingControls()->font().pointSizeF(), font * mode->factor(), 1e-6);
  EXPECT_NEAR(validation_pen_width(*window), pen * mode->factor(), 1e-9);
  EXPECT_DOUBLE_EQ(window->lossPlot()->presentationScale(), mode->factor());

  mode->toggleAction()->trigger();
  EXPECT_FALSE(mode->isOn());
  EXPECT_NEAR(window->font().pointSizeF(), font, 1e-6);
  EXPECT_NEAR(validation_pen_width(*window), pen, 1e-9);
}

TEST_F(PresentationModeTest, OnOffAndTheFactorPersistAcrossANewWindow) {
  const double font = QApplication::font().pointSizeF();
  {
    const auto first = make_window();
    mode_of(*first)->setOn(true);
    mode_of(*first)->reduce();
    EXPECT_DOUBLE_EQ(mode_of(*first)->factor(), PresentationMode::kDefaultFactor - PresentationMode::kStep);
  }
  const double factor = PresentationMode::kDefaultFactor - PresentationMode::kStep;
  {
    const auto second = make_window();
    PresentationMode* mode = mode_of(*second);
    EXPECT_TRUE(mode->isOn());
    EXPECT_DOUBLE_EQ(mode->factor(), factor);
    EXPECT_TRUE(mode->toggleAction()->isChecked());
    EXPECT_NEAR(second->font().pointSizeF(), font * factor, 1e-6);
    EXPECT_DOUBLE_EQ(second->lossPlot()->presentationScale(), factor);
    mode->setOn(false);
  }
  const auto third = make_window();
  EXPECT_FALSE(mode_of(*third)->isOn());
  EXPECT_DOUBLE_EQ(mode_of(*third)->factor(), factor);  // kept for the next time it is turned on
  EXPECT_NEAR(third->font().pointSizeF(), font, 1e-6);
}

// transferlab --presentation FACTOR: for that launch, the saved choice untouched.
TEST_F(PresentationModeTest, AModeThatIsNotPersistentLeavesTheSettingsAlone) {
  {
    const auto first = make_window();
    mode_of(*first)->setPersistent(false);
    mode_of(*first)->setFactor(PresentationMode::kMaxFactor);
    mode_of(*first)->setOn(true);
    EXPECT_DOUBLE_EQ(PresentationScale::instance()->factor(), PresentationMode::kMaxFactor);
  }
  const auto second = make_window();
  EXPECT_FALSE(mode_of(*second)->isOn());
  EXPECT_DOUBLE_EQ(mode_of(*second)->factor(), PresentationMode::kDefaultFactor);
}

TEST_F(PresentationModeTest, CtrlEqualsAndCtrlMinusChangeTheFactorWithinItsBounds) {
  const auto window = make_window();
  window->show();
  window->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
  PresentationMode* mode = mode_of(*window);
  const double start = mode->factor();
  QTest::keyClick(window.get(), Qt::Key_Equal, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(mode->factor(), start);  // only while the mode is on

  QTest::keyClick(window.get(), Qt::Key_F11);
  ASSERT_TRUE(mode->isOn());
  QTest::keyClick(window.get(), Qt::Key_Minus, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(mode->factor(), start - PresentationMode::kStep);
  QTest::keyClick(window.get(), Qt::Key_Equal, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(mode->factor(), start);
  for (int i = 0; i < 10; ++i) QTest::keyClick(window.get(), Qt::Key_Equal, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(mode->factor(), PresentationMode::kMaxFactor);
  for (int i = 0; i < 10; ++i) QTest::keyClick(window.get(), Qt::Key_Minus, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(mode->factor(), PresentationMode::kMinFactor);
  EXPECT_DOUBLE_EQ(window->lossPlot()->presentationScale(), PresentationMode::kMinFactor);
  mode->setFactor(100.0);
  EXPECT_DOUBLE_EQ(mode->factor(), PresentationMode::kMaxFactor);
}

}  // namespace
}  // namespace tl
