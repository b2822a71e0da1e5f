#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_panel.h"
#include "main_window/main_window.h"
#include "plot/loss_plot.h"
#include "schedule/timeline_strip.h"
#include "session/experiment_session.h"
#include "support/batch_window.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

#include <map>

namespace tl {
namespace {

constexpr int kRunTimeoutMs = 180000;

/// Untrained small_cnn (blocks features.0-2) on three classes, gradual
/// unfreezing every epoch: block3 thaws in epoch 2, block2 in epoch 3.
QString scheduledConfig() {
  return QStringLiteral(R"({"name": "scheduled window test", "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1, 2], "shots_per_class": 10, "test_per_class": 50},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning",
                 "schedule": {"unfreeze": "gradual", "unfreeze_every": 1}},
    "training": {"epochs": 3, "batch_size": 32, "learning_rate": 0.01, "seed": 2}})");
}

class ScheduleRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
  }

  QTemporaryDir runs;
  MainWindow window;
};

// The tree shows each epoch's plan while the run trains (recorded as each
// epoch's plan is shown), and the whole run's plan once it has ended.
TEST_F(ScheduleRunTest, TheTreeShowsThePlanInForceAtEachEpoch) {
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(scheduledConfig(), &error)) << error.toStdString();
  LayerTreeModel* tree = window.layerTreePanel()->model();
  std::map<int, std::pair<bool, bool>> trainsAt;  // epoch -> (features.2 trains, features.1 trains)
  std::map<int, QString> counts;
  QObject::connect(tree, &LayerTreeModel::displayedPlanChanged, tree, [&] {
    if (tree->displayedEpoch() == 0) return;
    trainsAt[tree->displayedEpoch()] = {tree->isTrainable(tree->indexOfPath(QStringLiteral("features.2"))),
                                        tree->isTrainable(tree->indexOfPath(QStringLiteral("features.1")))};
    counts[tree->displayedEpoch()] = window.layerTreePanel()->countText();
  });
  EXPECT_FALSE(window.timelineStrip()->isHidden());
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return !window.controller()->isBusy(); }, kRunTimeoutMs));
  ASSERT_EQ(window.controller()->state(), TrainingController::State::Finished)
      << window.controller()->lastMessage().toStdString();

  ASSERT_EQ(trainsAt.size(), 3u);
  EXPECT_EQ(trainsAt[1], std::make_pair(false, false));
  EXPECT_EQ(trainsAt[2], std::make_pair(true, false));
  EXPECT_EQ(trainsAt[3], std::make_pair(true, true));
  EXPECT_TRUE(counts[1].contains(QStringLiteral("in epoch 1 of the schedule"))) << counts[1].toStdString();
  EXPECT_EQ(tree->displayedEpoch(), 0);
  EXPECT_TRUE(tree->isTrainable(tree->indexOfPath(QStringLiteral("features.0"))));
  EXPECT_EQ(window.timelineStrip()->currentEpoch(), 0);
  EXPECT_TRUE(window.session()->layerTrainable(QStringLiteral("features.0")));  // the stored plan never changed
  // Each thaw is a short marker on the loss plot.
  window.lossPlot()->flushPending();
  EXPECT_EQ(window.lossPlot()->markerLabels(), QStringList({QStringLiteral("thaw features.2"),
                                                            QStringLiteral("thaw features.1")}));
}

}  // namespace
}  // namespace tl
