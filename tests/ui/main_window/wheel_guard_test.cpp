#include "main_window/wheel_guard.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <array>

namespace tl {
namespace {

/// A column taller than its scroll area, with a spin box, a combo box and a
/// slider at the top, under one guard.
class WheelGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* column = new QWidget;
    auto* layout = new QVBoxLayout(column);
    spin->setRange(0, 100);
    spin->setValue(50);
    combo->addItems({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    slider->setRange(0, 100);
    slider->setValue(50);
    for (QWidget* control : {static_cast<QWidget*>(spin), static_cast<QWidget*>(combo), static_cast<QWidget*>(slider)})
      layout->addWidget(control);
    layout->addSpacing(2000);
    area->setWidget(column);
    area->setWidgetResizable(true);
    (new QVBoxLayout(&window))->addWidget(area);
    new WheelGuard(&window);
    window.resize(300, 300);
    window.show();
    window.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  }

  /// One notch of the wheel towards the user, over the middle of `widget`.
  static void turnWheelOver(QWidget* widget) {
    const QPointF at(widget->width() / 2.0, widget->height() / 2.0);
    QWheelEvent wheel(at, widget->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &wheel);
  }

  int scrolled() const { return area->verticalScrollBar()->value(); }

  QWidget window;
  QScrollArea* area = new QScrollArea;
  QSpinBox* spin = new QSpinBox;
  QComboBox* combo = new QComboBox;
  QSlider* slider = new QSlider(Qt::Horizontal);
};

TEST_F(WheelGuardTest, TheWheelOverAnUnfocusedControlScrollsTheColumnInstead) {
  for (QWidget* control : {static_cast<QWidget*>(spin), static_cast<QWidget*>(combo), static_cast<QWidget*>(slider)}) {
    ASSERT_FALSE(control->hasFocus());
    const int before = scrolled();
    turnWheelOver(control);
    EXPECT_GT(scrolled(), before) << control->metaObject()->className();
  }
  EXPECT_EQ(spin->value(), 50);
  EXPECT_EQ(combo->currentIndex(), 0);
  EXPECT_EQ(slider->value(), 50);
}

TEST_F(WheelGuardTest, AFocusedControlTakesTheWheel) {
  spin->setFocus();
  ASSERT_TRUE(spin->hasFocus());
  turnWheelOver(spin);
  EXPECT_EQ(spin->value(), 49);
  combo->setFocus();
  turnWheelOver(combo);
  EXPECT_EQ(combo->currentIndex(), 1);
  EXPECT_EQ(scrolled(), 0);
}

TEST_F(WheelGuardTest, ControlsAreFocusedByClickNotByWheel) {
  EXPECT_EQ(spin->focusPolicy(), Qt::StrongFocus);
  EXPECT_EQ(slider->focusPolicy(), Qt::StrongFocus);
  // A control added after the guard is covered once it is shown.
  auto* later = new QSpinBox;
  area->widget()->layout()->addWidget(later);
  later->show();
  EXPECT_EQ(later->focusPolicy(), Qt::StrongFocus);
}

TEST_F(WheelGuardTest, ControlsOutsideTheGuardedWidgetKeepTheirWheel) {
  QSpinBox outside;
  outside.setRange(0, 100);
  outside.setValue(50);
  outside.show();
  turnWheelOver(&outside);
  EXPECT_EQ(outside.value(), 49);
}

/// Two tabs under one guard, each page a scroll area taller than its view.
class WheelGuardTabsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      auto* page = new QWidget;
      page->setMinimumHeight(2000);
      pages[i]->setWidget(page);
      pages[i]->setWidgetResizable(true);
      tabs->addTab(pages[i], QStringLiteral("page %1").arg(i + 1));
    }
    (new QVBoxLayout(&window))->addWidget(tabs);
    new WheelGuard(&window);
    window.resize(300, 300);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  }

  /// One notch of the wheel away from the user over the first tab, and one towards the user.
  void turnWheelOverTheTabsBothWays() const {
    QTabBar* bar = tabs->tabBar();
    const QPointF at = bar->tabRect(0).center();
    for (const int delta : {120, -120}) {
      QWheelEvent wheel(at, bar->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                        Qt::NoScrollPhase, false);
      QApplication::sendEvent(bar, &wheel);
    }
  }

  QWidget window;
  QTabWidget* tabs = new QTabWidget;
  std::array<QScrollArea*, 2> pages{new QScrollArea, new QScrollArea};
};

TEST_F(WheelGuardTabsTest, TheWheelOverTheTabBarNeverSwitchesTheTab) {
  tabs->setCurrentIndex(1);
  turnWheelOverTheTabsBothWays();
  EXPECT_EQ(tabs->currentIndex(), 1);
  tabs->setCurrentIndex(0);
  tabs->tabBar()->setFocus();  // focused too: the wheel is not a way to choose a step
  turnWheelOverTheTabsBothWays();
  EXPECT_EQ(tabs->currentIndex(), 0);
}

TEST_F(WheelGuardTabsTest, TheWheelOverTheTabBarScrollsTheOpenPage) {
  QTabBar* bar = tabs->tabBar();
  const QPointF at = bar->tabRect(1).center();
  QWheelEvent wheel(at, bar->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(bar, &wheel);
  EXPECT_EQ(tabs->currentIndex(), 0);
  EXPECT_GT(pages[0]->verticalScrollBar()->value(), 0);
  EXPECT_EQ(pages[1]->verticalScrollBar()->value(), 0);
}

TEST_F(WheelGuardTabsTest, KeysAndClicksStillSwitchTabs) {
  QTabBar* bar = tabs->tabBar();
  QTest::mouseClick(bar, Qt::LeftButton, Qt::NoModifier, bar->tabRect(1).center());
  EXPECT_EQ(tabs->currentIndex(), 1);
  tabs->setFocus();
  QTest::keyClick(tabs, Qt::Key_Tab, Qt::ControlModifier);
  EXPECT_EQ(tabs->currentIndex(), 0);
}

}  // namespace
}  // namespace tl
