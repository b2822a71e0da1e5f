#include "support/batch_window.h"
#include "session/experiment_session.h"
#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "training/resume_bar.h"
#include "training/training_controller.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace tl {
namespace {

using State = TrainingController::State;

constexpr int kRunTimeoutMs = 180000;  // generous: two cores shared with other builds

/// 3 classes × `shots` images in batches of 32: ten batches an epoch at 100.
QByteArray config(int epochs, double learningRate = 0.01) {
  return QStringLiteral(R"({"name": "resumable run",
    "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1, 2], "shots_per_class": 100, "test_per_class": 20, "seed": 3},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": %1, "batch_size": 32, "learning_rate": %2, "seed": 3}})")
      .arg(epochs)
      .arg(learningRate)
      .toUtf8();
}

QString statusIn(const QString& runDir) {
  QFile file(QDir(runDir).filePath(QStringLiteral("run.json")));
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("status")).toString();
}

class RunResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::isolateSettings();
    ASSERT_TRUE(runs.isValid());
    controller.setRunsDirectory(runs.path());
  }
  bool waitUntilIdle() {
    return test::wait_until([&] { return !controller.isBusy(); }, kRunTimeoutMs);
  }

  QTemporaryDir runs;
  TrainingController controller;
};

TEST_F(RunResumeTest, AStoppedRunIsOfferedAndResumedToItsEnd) {
  // Stopped during its second epoch: the checkpoint after the first remains.
  QObject::connect(&controller, &TrainingController::epochFinished, &controller, [this](int epoch) {
    if (epoch == 1) controller.stop();
  });
  ASSERT_TRUE(controller.startFromConfigJson(config(3)));
  ASSERT_TRUE(waitUntilIdle());
  ASSERT_EQ(controller.state(), State::Cancelled) << controller.lastMessage().toStdString();
  const QString runDir = controller.lastRunDir();
  EXPECT_EQ(statusIn(runDir), QStringLiteral("cancelled"));
  EXPECT_EQ(controller.unfinishedRunDir(), runDir);
  QObject::disconnect(&controller, &TrainingController::epochFinished, &controller, nullptr);

  ResumeBar bar(&controller);
  ASSERT_TRUE(bar.offerUnfinishedRun());
  EXPECT_FALSE(bar.isHidden());
  EXPECT_EQ(bar.offeredRunDir(), runDir);
  // Stop is asynchronous: on a busy machine the second epoch may end first.
  const QRegularExpression offer(QStringLiteral(
      "^The last run, \u201cresumable run\u201d, stopped before its end; it continues from its checkpoint "
      "after epoch [12] of 3\\.$"));
  EXPECT_TRUE(offer.match(bar.text()).hasMatch()) << bar.text().toStdString();
  QSignalSpy epochs(&controller, &TrainingController::epochFinished);
  QSignalSpy events(&controller, &TrainingController::runEvent);
  bar.resumeButton()->click();
  EXPECT_TRUE(bar.isHidden());
  ASSERT_TRUE(waitUntilIdle());

  EXPECT_EQ(controller.state(), State::Finished) << controller.lastMessage().toStdString();
  EXPECT_EQ(controller.lastRunDir(), runDir);
  EXPECT_EQ(statusIn(runDir), QStringLiteral("finished"));
  // The checkpoint's epoch first, so the plot shows the whole run, then the other two.
  ASSERT_EQ(epochs.count(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(epochs[i][0].toInt(), i + 1);
  bool resumed = false;
  for (const auto& e : events) resumed = resumed || e[1].value<RunEventKind>() == RunEventKind::Resume;
  EXPECT_TRUE(resumed);
  EXPECT_TRUE(controller.unfinishedRunDir().isEmpty());
  EXPECT_FALSE(bar.offerUnfinishedRun());
}

// Resuming in a window first loads the run's own config, so the setup, the
// layer tree and the lesson describe the run that trains, not the default.
TEST_F(RunResumeTest, AWindowResumingARunLoadsItsConfigIntoTheSession) {
  QObject::connect(&controller, &TrainingController::epochFinished, &controller, [this] { controller.stop(); });
  ASSERT_TRUE(controller.startFromConfigJson(config(3)));
  ASSERT_TRUE(waitUntilIdle());
  ASSERT_FALSE(controller.unfinishedRunDir().isEmpty());

  MainWindow window;
  test::makeBatchWindow(window, runs.path());
  ASSERT_FALSE(window.resumeBar()->isHidden());
  EXPECT_NE(window.session()->experimentName(), QStringLiteral("resumable run"));
  window.resumeBar()->resumeButton()->click();
  EXPECT_EQ(window.session()->experimentName(), QStringLiteral("resumable run"));
  EXPECT_EQ(window.session()->epochs(), 3);
  ASSERT_TRUE(test::wait_until([&] { return !window.controller()->isBusy(); }, kRunTimeoutMs));
  EXPECT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();
}

TEST_F(RunResumeTest, DismissHidesTheOffer) {
  QObject::connect(&controller, &TrainingController::epochFinished, &controller, [this] { controller.stop(); });
  ASSERT_TRUE(controller.startFromConfigJson(config(3)));
  ASSERT_TRUE(waitUntilIdle());
  ResumeBar bar(&controller);
  ASSERT_TRUE(bar.offerUnfinishedRun());
  bar.dismissButton()->click();
  EXPECT_TRUE(bar.isHidden());
  EXPECT_TRUE(bar.offeredRunDir().isEmpty());
  EXPECT_FALSE(controller.isBusy());
}

TEST_F(RunResumeTest, ALearningRateEditedWhilePausedAppliesOnResumeAndIsReported) {
  QObject::connect(&controller, &TrainingController::batchTrained, &controller, [this](int epoch, int batch) {
    if (epoch == 1 && batch == 2) controller.pause();
  });
  QSignalSpy events(&controller, &TrainingController::runEvent);
  ASSERT_TRUE(controller.startFromConfigJson(config(2)));
  ASSERT_TRUE(test::wait_until([&] { return controller.state() == State::Paused; }, kRunTimeoutMs));
  QString error;
  ASSERT_TRUE(controller.updatePausedRun(config(2, 0.02), &error)) << error.toStdString();
  controller.resume();
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(controller.state(), State::Finished) << controller.lastMessage().toStdString();

  int changes = 0;
  for (const auto& e : events) {
    if (e[1].value<RunEventKind>() != RunEventKind::PlanChange) continue;
    ++changes;
    EXPECT_EQ(e[2].toString(), QStringLiteral("learning rate 0.01 -> 0.02"));
    EXPECT_GT(e[0].toDouble(), 0.0);  // where it was paused, early in the run
    EXPECT_LT(e[0].toDouble(), 2.0);
  }
  EXPECT_EQ(changes, 1);
  QFile log(QDir(controller.lastRunDir()).filePath(QStringLiteral("events.jsonl")));
  ASSERT_TRUE(log.open(QIODevice::ReadOnly));
  EXPECT_TRUE(log.readAll().contains("\"kind\":\"plan_change\""));
}

TEST_F(RunResumeTest, UpdatingIsRefusedUnlessARunIsPaused) {
  QString error;
  EXPECT_FALSE(controller.updatePausedRun(config(2), &error));
  EXPECT_EQ(error, QStringLiteral("no single run is paused"));
}

TEST(LossPlotMarkers, AMarkerIsKeptForTheRunAndClearedByTheNext) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("first"), 3);
  plot.addMarker(1.25, QStringLiteral("learning rate 0.01 -> 0.02"));
  EXPECT_EQ(plot.markerLabels(), QStringList{QStringLiteral("learning rate 0.01 -> 0.02")});
  EXPECT_EQ(plot.markerPositions(), QVector<double>{1.25});
  EXPECT_GE(plot.customPlot()->itemCount(), 3);  // a line in each panel and the label
  const int items = plot.customPlot()->itemCount();
  plot.beginRun(QStringLiteral("second"), 3);
  EXPECT_TRUE(plot.markerLabels().isEmpty());
  EXPECT_EQ(plot.customPlot()->itemCount(), items - 3);
}

}  // namespace
}  // namespace tl
