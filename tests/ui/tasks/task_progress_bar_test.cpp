#include "tasks/task_progress_bar.h"

#include "tasks/background_task.h"

#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>

#include <atomic>
#include <chrono>
#include <thread>

namespace tl {
namespace {

using test::wait_until;

constexpr int kTimeoutMs = 60000;

/// A panel with a focusable child, a task and its progress bar.
struct Panel {
  Panel() : bar(new TaskProgressBar(&task)), child(new QWidget) {
    child->setFocusPolicy(Qt::StrongFocus);
    auto* layout = new QVBoxLayout(&widget);
    layout->addWidget(child);
    layout->addWidget(bar);
    bar->cancelOnEscapeIn(&widget);
  }

  /// Work that reports half-way and runs until cancelled.
  bool startUntilCancelled() {
    return task.start(
        [](TaskContext& context) {
          context.progress(0.5, QStringLiteral("half-way"));
          while (!context.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        },
        [] {});
  }

  QWidget widget;
  BackgroundTask task;
  TaskProgressBar* bar;
  QWidget* child;
};

TEST(TaskProgressBar, ShowsTheTasksProgressAndHidesWhenItEnds) {
  Panel panel;
  EXPECT_FALSE(panel.bar->isVisibleTo(&panel.widget));
  ASSERT_TRUE(panel.startUntilCancelled());
  EXPECT_TRUE(panel.bar->isVisibleTo(&panel.widget));
  ASSERT_TRUE(wait_until([&] { return panel.bar->text() == QStringLiteral("half-way"); }, kTimeoutMs));
  EXPECT_EQ(panel.bar->bar()->value() * 2, panel.bar->bar()->maximum());
  panel.bar->cancelButton()->click();
  EXPECT_FALSE(panel.task.isRunning());
  EXPECT_FALSE(panel.bar->isVisibleTo(&panel.widget));
}

TEST(TaskProgressBar, EscInsideTheScopeCancelsTheTask) {
  Panel panel;
  QSignalSpy cancelled(&panel.task, &BackgroundTask::cancelled);
  ASSERT_TRUE(panel.startUntilCancelled());
  QTest::keyClick(panel.child, Qt::Key_Escape);  // the child ignores it; it travels up to the panel
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_FALSE(panel.task.isRunning());
}

TEST(TaskProgressBar, EscWhileIdleIsLeftToOthers) {
  Panel panel;
  QSignalSpy cancelled(&panel.task, &BackgroundTask::cancelled);
  QTest::keyClick(panel.child, Qt::Key_Escape);
  EXPECT_EQ(cancelled.count(), 0);
}

}  // namespace
}  // namespace tl
