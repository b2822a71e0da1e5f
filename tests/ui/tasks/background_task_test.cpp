#include "tasks/background_task.h"

#include "support/ui_wait.h"

#include "train/trainer.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QSignalSpy>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

namespace tl {
namespace {

using test::wait_until;

constexpr int kTimeoutMs = 60000;

/// Set when the last copy of a work function is destroyed: by then its
/// thread has posted everything it will ever post.
struct ThreadGone {
  explicit ThreadGone(std::atomic<bool>* flag) : flag(flag) {}
  ~ThreadGone() { *flag = true; }
  std::atomic<bool>* flag;
};

/// Delivers what a finished (cancelled) job's thread posted, so a test can
/// check that it is dropped.
void deliverLateCalls(BackgroundTask& task, const std::atomic<bool>& threadGone) {
  ASSERT_TRUE(wait_until([&] { return threadGone.load(); }, kTimeoutMs));
  QCoreApplication::sendPostedEvents(&task, QEvent::MetaCall);
}

void pollUntilCancelled(const TaskContext& context) {
  while (!context.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST(BackgroundTask, DeliversTheResultOnTheGuiThread) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  QThread* workThread = nullptr;
  QThread* resultThread = nullptr;
  int result = 0;
  ASSERT_TRUE(task.start(
      [&workThread](TaskContext&) {
        workThread = QThread::currentThread();
        return 42;
      },
      [&](int value) {
        resultThread = QThread::currentThread();
        result = value;
      }));
  EXPECT_TRUE(task.isRunning());
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  EXPECT_EQ(result, 42);
  EXPECT_EQ(resultThread, QCoreApplication::instance()->thread());
  EXPECT_NE(workThread, QCoreApplication::instance()->thread());
  EXPECT_FALSE(task.isRunning());
}

TEST(BackgroundTask, WorkWithoutAResultCallsOnResultWithNothing) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  bool done = false;
  ASSERT_TRUE(task.start([](TaskContext&) {}, [&done] { done = true; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  EXPECT_TRUE(done);
}

TEST(BackgroundTask, ProgressArrivesOnTheGuiThreadAndTheLastValueBeforeTheResult) {
  BackgroundTask task;
  QVector<double> fractions;
  QString lastText;
  bool allOnGuiThread = true;
  bool progressAfterResult = false;
  bool resultSeen = false;
  QObject::connect(&task, &BackgroundTask::progress, &task, [&](double fraction, const QString& text) {
    allOnGuiThread = allOnGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
    progressAfterResult = progressAfterResult || resultSeen;
    fractions << fraction;
    lastText = text;
  });
  QSignalSpy finished(&task, &BackgroundTask::finished);
  constexpr int kSteps = 20000;  // a tight loop: coalesced, not 20,000 queued calls
  ASSERT_TRUE(task.start(
      [](TaskContext& context) {
        for (int i = 1; i <= kSteps; ++i) {
          context.progress(static_cast<double>(i) / kSteps, QStringLiteral("step %1").arg(i));
        }
      },
      [&resultSeen] { resultSeen = true; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  ASSERT_FALSE(fractions.isEmpty());
  EXPECT_LE(fractions.size(), kSteps);
  EXPECT_TRUE(allOnGuiThread);
  EXPECT_FALSE(progressAfterResult);
  EXPECT_EQ(fractions.last(), 1.0);
  EXPECT_EQ(lastText, QStringLiteral("step %1").arg(kSteps));
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
}

TEST(BackgroundTask, PostedCallsRunOnTheGuiThreadBeforeTheResult) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  QStringList order;
  bool onGuiThread = false;
  ASSERT_TRUE(task.start(
      [&](TaskContext& context) {
        context.post([&] {
          onGuiThread = QThread::currentThread() == QCoreApplication::instance()->thread();
          order << QStringLiteral("batch");
        });
        return QStringLiteral("result");
      },
      [&order](const QString& value) { order << value; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  EXPECT_EQ(order, (QStringList{QStringLiteral("batch"), QStringLiteral("result")}));
  EXPECT_TRUE(onGuiThread);
}

TEST(BackgroundTask, CancelStopsWorkThatPollsTheFlagAndDropsItsResult) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  QSignalSpy failed(&task, &BackgroundTask::failed);
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  std::atomic<bool> working{false}, sawCancel{false}, threadGone{false};
  bool resultDelivered = false;
  auto gone = std::make_shared<ThreadGone>(&threadGone);
  ASSERT_TRUE(task.start(
      [&, gone](TaskContext& context) {
        working = true;
        pollUntilCancelled(context);
        sawCancel = context.cancelFlag().load();
        return 7;
      },
      [&resultDelivered](int) { resultDelivered = true; }));
  gone.reset();
  ASSERT_TRUE(wait_until([&] { return working.load(); }, kTimeoutMs));

  task.cancel();
  // Idle at once, whether or not the work has noticed yet.
  EXPECT_FALSE(task.isRunning());
  EXPECT_EQ(cancelled.count(), 1);
  deliverLateCalls(task, threadGone);
  EXPECT_TRUE(sawCancel);
  EXPECT_FALSE(resultDelivered);
  EXPECT_EQ(finished.count(), 0);
  EXPECT_EQ(failed.count(), 0);
  EXPECT_EQ(cancelled.count(), 1);
}

TEST(BackgroundTask, WorkThatThrowsOnCancelIsReportedCancelledNotFailed) {
  BackgroundTask task;
  QSignalSpy failed(&task, &BackgroundTask::failed);
  QSignalSpy cancelled(&task, &BackgroundTask::cancelled);
  std::atomic<bool> working{false}, threadGone{false};
  auto gone = std::make_shared<ThreadGone>(&threadGone);
  ASSERT_TRUE(task.start(
      [&working, gone](TaskContext& context) -> int {
        working = true;
        pollUntilCancelled(context);
        throw std::runtime_error("stopped");
      },
      [](int) {}));
  gone.reset();
  ASSERT_TRUE(wait_until([&] { return working.load(); }, kTimeoutMs));
  task.cancel();
  deliverLateCalls(task, threadGone);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_EQ(failed.count(), 0);
}

TEST(BackgroundTask, AnExceptionBecomesFailedWithItsMessage) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  QSignalSpy failed(&task, &BackgroundTask::failed);
  bool resultDelivered = false;
  ASSERT_TRUE(task.start([](TaskContext&) -> int { throw std::runtime_error("data/x.png: not a PNG image"); },
                         [&resultDelivered](int) { resultDelivered = true; }));
  ASSERT_TRUE(wait_until([&] { return failed.count() == 1; }, kTimeoutMs));
  EXPECT_EQ(failed.front().front().toString(), QStringLiteral("data/x.png: not a PNG image"));
  EXPECT_EQ(finished.count(), 0);
  EXPECT_FALSE(resultDelivered);
  EXPECT_FALSE(task.isRunning());
}

TEST(BackgroundTask, ASecondStartWhileRunningReturnsFalse) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  int results = 0;
  ASSERT_TRUE(task.start([released](TaskContext&) { released.wait(); }, [&results] { ++results; }));
  EXPECT_FALSE(task.start([](TaskContext&) {}, [&results] { results += 100; }));
  release.set_value();
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  EXPECT_EQ(results, 1);
  // Idle again: the next start runs.
  ASSERT_TRUE(task.start([](TaskContext&) {}, [&results] { ++results; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 2; }, kTimeoutMs));
  EXPECT_EQ(results, 2);
}

TEST(BackgroundTask, AStartAfterACancelDropsTheFirstRunsLateResult) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> firstGone{false};
  auto gone = std::make_shared<ThreadGone>(&firstGone);
  QVector<int> results;
  // The first work ignores the flag, like a core call without a cancel hook.
  ASSERT_TRUE(task.start(
      [released, gone](TaskContext&) {
        released.wait();
        return 1;
      },
      [&results](int value) { results << value; }));
  gone.reset();
  task.cancel();
  ASSERT_TRUE(task.start([](TaskContext&) { return 2; }, [&results](int value) { results << value; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  release.set_value();  // the first one returns only now, after the second
  deliverLateCalls(task, firstGone);
  EXPECT_EQ(results, QVector<int>{2});
  EXPECT_EQ(finished.count(), 1);
}

TEST(BackgroundTask, DestroyingItWhileWorkRunsCancelsAndJoins) {
  std::atomic<bool> working{false}, sawCancel{false};
  auto task = std::make_unique<BackgroundTask>();
  bool resultDelivered = false;
  ASSERT_TRUE(task->start(
      [&](TaskContext& context) {
        working = true;
        pollUntilCancelled(context);
        sawCancel = true;
        return 0;
      },
      [&resultDelivered](int) { resultDelivered = true; }));
  ASSERT_TRUE(wait_until([&] { return working.load(); }, kTimeoutMs));
  task.reset();  // joins: the work has returned when this does
  EXPECT_TRUE(sawCancel);
  QCoreApplication::processEvents();
  EXPECT_FALSE(resultDelivered);
}

TEST(BackgroundTask, WaitDeliversTheOutcomeBeforeReturning) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  int result = 0;
  ASSERT_TRUE(task.start([](TaskContext&) { return 5; }, [&result](int value) { result = value; }));
  task.wait();
  EXPECT_EQ(result, 5);
  EXPECT_EQ(finished.count(), 1);
  EXPECT_FALSE(task.isRunning());
}

TEST(BackgroundTask, SetCpuThreadsConfiguresTheWorkThread) {
  BackgroundTask task;
  QSignalSpy finished(&task, &BackgroundTask::finished);
  task.setCpuThreads(0);
  int threads = -1;
  ASSERT_TRUE(task.start([](TaskContext&) { return torch::get_num_threads(); },
                         [&threads](int value) { threads = value; }));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }, kTimeoutMs));
  EXPECT_EQ(threads, training_thread_count(0));
}

}  // namespace
}  // namespace tl
