#include "layer_tree/layer_tree_panel.h"
#include "main_window/main_window.h"
#include "main_window/training_controls.h"
#include "panels/model_picker.h"
#include "plot/loss_plot.h"
#include "runs/runs_panel.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "support/batch_window.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QCoreApplication>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>

namespace tl {
namespace {

using State = TrainingController::State;

constexpr int kRunTimeoutMs = 180000;

/// Untrained small_cnn on three classes: needs no checkpoint, trains in seconds.
QString run_config(int epochs, int shots, const QString& root = QString()) {
  return QStringLiteral(R"({"name": "window test", "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1, 2], "shots_per_class": %1, "test_per_class": 50, "root": "%3"},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": %2, "batch_size": 32, "learning_rate": 0.01, "seed": 2}})")
      .arg(shots)
      .arg(epochs)
      .arg(root);
}

class MainWindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::isolateSettings();
  }

  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
  }

  void load(const QString& json) {
    QString error;
    ASSERT_TRUE(window.session()->setConfigJson(json, &error)) << error.toStdString();
  }

  bool waitUntilIdle() {
    return test::wait_until([&] { return !window.controller()->isBusy(); }, kRunTimeoutMs);
  }

  QTemporaryDir runs;
  MainWindow window;
};

TEST_F(MainWindowTest, FitsASmallLaptopScreenWithoutOverlaps) {
  window.resize(1024, 640);
  window.show();
  test::wait_until([] { return false; }, 50);
  EXPECT_LE(window.minimumSizeHint().width(), 1024);
  EXPECT_LE(window.minimumSizeHint().height(), 640);
  EXPECT_EQ(window.size(), QSize(1024, 640));

  QWidget* plot = window.lossPlot();
  QWidget* tree = window.layerTreePanel();
  QWidget* setup = window.findChild<ModelPicker*>();
  const auto inWindow = [&](QWidget* w) { return QRect(w->mapTo(&window, QPoint(0, 0)), w->size()); };
  EXPECT_FALSE(inWindow(plot).intersects(inWindow(tree)));
  EXPECT_FALSE(inWindow(setup).intersects(inWindow(plot)));
  EXPECT_TRUE(window.rect().contains(inWindow(plot)));
  EXPECT_GE(plot->height(), 240);
  EXPECT_GE(tree->height(), 120);
}

TEST_F(MainWindowTest, TrainingControlsEditTheSessionAndFollowIt) {
  auto* epochs = window.trainingControls()->findChild<QSpinBox*>(QStringLiteral("epochs"));
  ASSERT_NE(epochs, nullptr);
  epochs->setValue(7);
  EXPECT_EQ(window.session()->epochs(), 7);
  window.session()->setEpochs(4);
  EXPECT_EQ(epochs->value(), 4);
}

TEST_F(MainWindowTest, RunFromTheWindowDrawsCurvesAndShowsTheResult) {
  load(run_config(2, 10));
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();
  window.lossPlot()->flushPending();
  EXPECT_EQ(window.lossPlot()->pointCount(LossPlot::Series::ValAccuracy), 2);
  EXPECT_TRUE(window.statusText().startsWith(QStringLiteral("finished · test accuracy"))) << window.statusText().toStdString();
  EXPECT_TRUE(window.trainingControls()->trainAction()->isEnabled());
}

TEST_F(MainWindowTest, TrainingLocksEditingAndClosingStopsTheRun) {
  load(run_config(200, 100));
  QSignalSpy batches(window.controller(), &TrainingController::batchTrained);
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return batches.count() > 0; }, kRunTimeoutMs));

  EXPECT_FALSE(window.findChild<ModelPicker*>()->isEnabled());
  EXPECT_FALSE(window.trainingControls()->findChild<QSpinBox*>(QStringLiteral("epochs"))->isEnabled());
  EXPECT_FALSE(window.trainingControls()->trainAction()->isEnabled());
  EXPECT_TRUE(window.trainingControls()->stopAction()->isEnabled());
  EXPECT_TRUE(window.statusText().startsWith(QStringLiteral("epoch "))) << window.statusText().toStdString();

  window.close();  // joins the training thread before returning
  EXPECT_FALSE(window.controller()->isBusy());
  EXPECT_EQ(window.controller()->state(), State::Cancelled);
  EXPECT_TRUE(window.findChild<ModelPicker*>()->isEnabled());
}

TEST_F(MainWindowTest, FailedRunIsReportedAndTheWindowStaysUsable) {
  load(run_config(1, 10, QStringLiteral("/nonexistent/fashion-mnist")));
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(window.controller()->state(), State::Failed);
  EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("/nonexistent")))
      << window.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(window.statusText(), QStringLiteral("failed"));
  EXPECT_TRUE(window.trainingControls()->trainAction()->isEnabled());
  EXPECT_TRUE(window.findChild<ModelPicker*>()->isEnabled());

  load(run_config(1, 10));  // the next run works
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();
}

TEST_F(MainWindowTest, LastConfigIsRestoredOnTheNextStart) {
  QSettings().clear();
  load(run_config(3, 10));
  window.session()->setEpochs(9);
  window.setPersistSettings(true);
  window.close();

  MainWindow next;
  next.setPersistSettings(false);
  ASSERT_TRUE(next.restoreLastConfig());
  EXPECT_EQ(next.session()->epochs(), 9);
  EXPECT_EQ(next.session()->experimentName(), QStringLiteral("window test"));
  QSettings().clear();
}

TEST_F(MainWindowTest, BadCheckpointIsReportedAndThePreviousModelStays) {
  QTemporaryDir dir;
  const QString bad = dir.filePath(QStringLiteral("broken.safetensors"));
  QFile file(bad);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("not a checkpoint");
  file.close();
  const QString before = window.session()->modelId();

  EXPECT_FALSE(window.findChild<ModelPicker*>()->openCheckpoint(bad));
  EXPECT_EQ(window.session()->modelId(), before);
  EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("broken.safetensors")))
      << window.statusBar()->currentMessage().toStdString();
  EXPECT_TRUE(window.trainingControls()->trainAction()->isEnabled());
}

// Each failing session call is shown once: the session reports only to its
// caller (a failed re-run used to open two dialogs).
TEST_F(MainWindowTest, AFailingSessionCallIsShownExactlyOnce) {
  window.setInteractive(true);
  const auto dialogs = [&] { return window.findChildren<QMessageBox*>().size(); };
  const QString before = window.session()->configJson();

  Q_EMIT window.runsPanel()->rerunRequested(QStringLiteral("{"), QStringLiteral("a broken run"), 1, false);
  EXPECT_EQ(dialogs(), 1);
  EXPECT_FALSE(window.controller()->isBusy());

  QString error;
  EXPECT_FALSE(window.loadPreset(QStringLiteral("/nonexistent/preset.json"), &error));
  EXPECT_FALSE(error.isEmpty());
  EXPECT_EQ(dialogs(), 2);

  EXPECT_FALSE(window.findChild<ModelPicker*>()->openCheckpoint(QStringLiteral("/nonexistent/model.safetensors")));
  EXPECT_EQ(dialogs(), 3);
  EXPECT_EQ(window.session()->configJson(), before);
  for (QMessageBox* box : window.findChildren<QMessageBox*>()) box->close();
}

TEST(MainWindowFormat, DurationsReadAsClockTimes) {
  EXPECT_EQ(MainWindow::formatDuration(42), QStringLiteral("0:42"));
  EXPECT_EQ(MainWindow::formatDuration(600), QStringLiteral("10:00"));
  EXPECT_EQ(MainWindow::formatDuration(3723), QStringLiteral("1:02:03"));
  EXPECT_EQ(MainWindow::formatDuration(-5), QStringLiteral("0:00"));
}

}  // namespace
}  // namespace tl
