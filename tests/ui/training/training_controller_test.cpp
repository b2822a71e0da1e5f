#include "plot/loss_plot.h"
#include "training/training_controller.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

namespace tl {
namespace {

using State = TrainingController::State;

constexpr int kRunTimeoutMs = 180000;  // generous: two cores shared with other builds

/// Two epochs on 3 classes × 10 images: a real run that takes seconds.
QByteArray tiny_config(int epochs = 2, int shots = 10) {
  return QStringLiteral(R"({"name": "tiny run",
    "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1, 2], "shots_per_class": %1, "test_per_class": 50, "seed": 3},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": %2, "batch_size": 32, "learning_rate": 0.01, "seed": 3}})")
      .arg(shots)
      .arg(epochs)
      .toUtf8();
}

/// Long enough that it is certainly still training when stopped.
QByteArray long_config() { return tiny_config(200, 100); }

class TrainingControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    controller.setRunsDirectory(runs.path());
  }

  bool waitForBatch(QSignalSpy& batches) {
    return test::wait_until([&] { return batches.count() > 0; }, kRunTimeoutMs);
  }
  bool waitUntilIdle() {
    return test::wait_until([&] { return !controller.isBusy(); }, kRunTimeoutMs);
  }

  QTemporaryDir runs;
  TrainingController controller;
};

TEST_F(TrainingControllerTest, TinyRunAddsPointsToThePlotAndFinishes) {
  LossPlot plot;
  QObject::connect(&controller, &TrainingController::runStarted, &plot, &LossPlot::beginRun);
  QObject::connect(&controller, &TrainingController::batchTrained, &plot,
                   [&plot](int epoch, int batch, int perEpoch, double loss) {
                     plot.addBatch(epoch, batch, perEpoch, loss);
                   });
  QObject::connect(&controller, &TrainingController::epochFinished, &plot, &LossPlot::addEpoch);
  QSignalSpy states(&controller, &TrainingController::stateChanged);
  QSignalSpy finished(&controller, &TrainingController::runFinished);

  ASSERT_TRUE(controller.startFromConfigJson(tiny_config()));
  EXPECT_EQ(controller.state(), State::Preparing);
  ASSERT_TRUE(waitUntilIdle());

  ASSERT_EQ(finished.count(), 1);
  EXPECT_EQ(controller.state(), State::Finished) << controller.lastMessage().toStdString();
  EXPECT_EQ(finished[0][0].value<State>(), State::Finished);
  const double testAccuracy = finished[0][2].toDouble();
  EXPECT_GE(testAccuracy, 0.0);
  EXPECT_LE(testAccuracy, 1.0);
  EXPECT_EQ(states[0][0].value<State>(), State::Preparing);
  EXPECT_EQ(states[1][0].value<State>(), State::Training);

  plot.flushPending();
  EXPECT_EQ(plot.currentRunName(), QStringLiteral("tiny run"));
  EXPECT_GT(plot.pointCount(LossPlot::Series::TrainLossRaw), 0);
  EXPECT_EQ(plot.pointCount(LossPlot::Series::TrainLossSmoothed), plot.pointCount(LossPlot::Series::TrainLossRaw));
  EXPECT_EQ(plot.pointCount(LossPlot::Series::ValLoss), 2);
  EXPECT_EQ(plot.pointCount(LossPlot::Series::ValAccuracy), 2);

  const QDir runDir(controller.lastRunDir());
  EXPECT_TRUE(runDir.absolutePath().startsWith(QDir(runs.path()).absolutePath()));
  EXPECT_TRUE(runDir.dirName().startsWith(QStringLiteral("tiny_run-")));
  EXPECT_GT(QFileInfo(runDir.filePath(QStringLiteral("run.json"))).size(), 0);
  EXPECT_GT(QFileInfo(runDir.filePath(QStringLiteral("metrics.csv"))).size(), 0);
}

TEST_F(TrainingControllerTest, StopDuringTrainingEndsCancelledWithinOneSecond) {
  QSignalSpy batches(&controller, &TrainingController::batchTrained);
  ASSERT_TRUE(controller.startFromConfigJson(long_config()));
  ASSERT_TRUE(waitForBatch(batches));
  ASSERT_EQ(controller.state(), State::Training);

  QElapsedTimer sinceStop;
  sinceStop.start();
  controller.stop();
  EXPECT_EQ(controller.state(), State::Stopping);
  ASSERT_TRUE(test::wait_until([&] { return controller.state() == State::Cancelled; }, 5000))
      << "state " << TrainingController::stateName(controller.state()).toStdString();
  EXPECT_LT(sinceStop.elapsed(), 1000);
  EXPECT_FALSE(controller.lastRunDir().isEmpty());  // a cancelled run still leaves its record
}

TEST_F(TrainingControllerTest, PauseHoldsTrainingAndResumeContinuesIt) {
  QSignalSpy batches(&controller, &TrainingController::batchTrained);
  ASSERT_TRUE(controller.startFromConfigJson(long_config()));
  ASSERT_TRUE(waitForBatch(batches));

  controller.pause();
  ASSERT_TRUE(test::wait_until([&] { return controller.state() == State::Paused; }, 5000));
  test::wait_until([] { return false; }, 100);  // batches already queued drain
  const int batchesWhilePaused = batches.count();
  test::wait_until([] { return false; }, 300);
  EXPECT_EQ(batches.count(), batchesWhilePaused);

  controller.togglePause();
  ASSERT_TRUE(test::wait_until([&] { return controller.state() == State::Training; }, 5000));
  EXPECT_TRUE(test::wait_until([&] { return batches.count() > batchesWhilePaused; }, kRunTimeoutMs));
  controller.stop();
  EXPECT_TRUE(waitUntilIdle());
  EXPECT_EQ(controller.state(), State::Cancelled);
}

TEST_F(TrainingControllerTest, UnknownPretrainedModelFailsWithMessageAndControllerStaysUsable) {
  QSignalSpy finished(&controller, &TrainingController::runFinished);
  ASSERT_TRUE(controller.startFromConfigJson(R"({"name": "bad", "model": {"pretrained": "no-such-model"}})"));
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(controller.state(), State::Failed);
  ASSERT_EQ(finished.count(), 1);
  EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("no-such-model"))) << finished[0][1].toString().toStdString();
  EXPECT_TRUE(controller.lastRunDir().isEmpty());

  // The same controller runs the next experiment.
  ASSERT_TRUE(controller.startFromConfigJson(tiny_config()));
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(controller.state(), State::Finished) << controller.lastMessage().toStdString();
}

TEST_F(TrainingControllerTest, MalformedJsonFailsWithMessage) {
  ASSERT_TRUE(controller.startFromConfigJson("{\"name\": "));
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(controller.state(), State::Failed);
  EXPECT_FALSE(controller.lastMessage().isEmpty());
}

TEST_F(TrainingControllerTest, StartWhileBusyIsRefused) {
  ASSERT_TRUE(controller.startFromConfigJson(long_config()));
  EXPECT_FALSE(controller.startFromConfigJson(tiny_config()));
  controller.stopAndWait();
  EXPECT_EQ(controller.state(), State::Cancelled);
}

TEST(TrainingControllerLifetime, DestroyingWhileTrainingCancelsAndJoins) {
  QTemporaryDir runs;
  auto controller = std::make_unique<TrainingController>();
  controller->setRunsDirectory(runs.path());
  QSignalSpy batches(controller.get(), &TrainingController::batchTrained);
  ASSERT_TRUE(controller->startFromConfigJson(long_config()));
  ASSERT_TRUE(test::wait_until([&] { return batches.count() > 0; }, kRunTimeoutMs));
  controller.reset();  // must neither hang nor crash; queued events die with it
  test::wait_until([] { return false; }, 50);
  SUCCEED();
}

}  // namespace
}  // namespace tl
