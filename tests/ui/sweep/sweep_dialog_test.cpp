#include "experiment/experiment_config.h"
#include "lesson/window_parts.h"
#include "main_window/main_window.h"
#include "session/experiment_session.h"
#include "sweep/sweep_dialog.h"
#include "sweep/sweep_table_model.h"
#include "sweep/sweep_view.h"
#include "sweep_fixtures.h"
#include "support/batch_window.h"
#include "support/ui_test_helpers.h"
#include "util/atomic_file.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>

namespace tl {
namespace {

using SweepDialogTest = test::SweepSessionTest;

TEST_F(SweepDialogTest, OffersEveryDepthAndCountsTrialsRunsAndSharedTwins) {
  SweepDialog dialog(session, runs.path());
  ASSERT_EQ(dialog.depthBoxes().size(), session.blockCount() + 1);
  EXPECT_TRUE(dialog.depthBoxes()[1]->toolTip().contains(session.blockNames().front()));
  const int depths = session.blockCount() + 1;
  EXPECT_EQ(dialog.countText(),
            QStringLiteral("%1 trials × 3 seeds = %2 runs + 3 twins").arg(depths).arg(3 * depths));
  EXPECT_TRUE(dialog.runButton()->isEnabled());
  EXPECT_TRUE(dialog.directory().startsWith(runs.path()));

  dialog.seedsBox()->setValue(2);
  dialog.learningRatesEdit()->setText(QStringLiteral("0.01, 0.1"));
  EXPECT_EQ(dialog.countText(), QStringLiteral("%1 trials × 2 seeds = %2 runs + 4 twins")
                                    .arg(2 * depths)
                                    .arg(4 * depths))
      << "the twin keeps the learning rate: one per rate and seed";
}

TEST_F(SweepDialogTest, ShowsABadValueInlineAndDisablesRun) {
  SweepDialog dialog(session, runs.path());
  dialog.learningRatesEdit()->setText(QStringLiteral("0.01, fast"));
  EXPECT_FALSE(dialog.runButton()->isEnabled());
  EXPECT_TRUE(dialog.errorText().startsWith(QStringLiteral("learning_rate:"))) << dialog.errorText().toStdString();
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("fast")));

  dialog.learningRatesEdit()->setText(QStringLiteral("0.01, 50"));  // beyond the config's range
  EXPECT_FALSE(dialog.runButton()->isEnabled());
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("sweep.axes[1]"))) << dialog.errorText().toStdString();

  dialog.learningRatesEdit()->clear();
  for (QCheckBox* box : dialog.depthBoxes()) box->setChecked(false);
  EXPECT_FALSE(dialog.runButton()->isEnabled());  // no axis left
  EXPECT_FALSE(dialog.errorText().isEmpty());
  dialog.depthBoxes()[0]->setChecked(true);
  EXPECT_TRUE(dialog.runButton()->isEnabled());
  EXPECT_TRUE(dialog.errorText().isEmpty());
}

TEST_F(SweepDialogTest, PrefillsFromTheConfigsSweepSection) {
  QString error;
  ASSERT_TRUE(session.setConfigJson(test::fastSweepConfig(QStringLiteral(R"(, "sweep": {"axes": [
      {"field": "frozen_depth", "values": [0, 2]}, {"field": "learning_rate", "values": [0.01, 0.1]},
      {"field": "training.batch_size", "values": [8, 16]}], "order": "random", "budget": 3, "seeds": 2})")),
                                    &error))
      << error.toStdString();
  SweepDialog dialog(session, runs.path());
  EXPECT_TRUE(dialog.depthBoxes()[0]->isChecked());
  EXPECT_FALSE(dialog.depthBoxes()[1]->isChecked());
  EXPECT_TRUE(dialog.depthBoxes()[2]->isChecked());
  EXPECT_EQ(dialog.learningRatesEdit()->text(), QStringLiteral("0.01, 0.1"));
  EXPECT_EQ(dialog.orderBox()->currentIndex(), 1);
  EXPECT_EQ(dialog.budgetBox()->value(), 3);
  EXPECT_EQ(dialog.seedsBox()->value(), 2);
  EXPECT_TRUE(dialog.countText().startsWith(QStringLiteral("3 trials × 2 seeds = 6 runs")))
      << dialog.countText().toStdString();
  // The axis the form does not edit stays in the sweep it runs.
  const nlohmann::json sweep = nlohmann::json::parse(dialog.configJson().toStdString())["sweep"];
  ASSERT_EQ(sweep["axes"].size(), 3u);
  EXPECT_EQ(sweep["axes"][2]["field"], "training.batch_size");
}

TEST_F(SweepDialogTest, OffersResumeForAFolderWithAnUnfinishedSweep) {
  SweepTable table = test::depthSweep();
  table.total_trials = 6;
  table.base_config = config_to_json(config_from_json(nlohmann::json::parse(test::fastSweepConfig().toStdString())));
  const QString folder = runs.filePath(QStringLiteral("stopped"));
  QDir().mkpath(folder);
  write_sweep(table, folder.toStdString());
  SweepDialog dialog(session, runs.path());
  dialog.folderEdit()->setText(folder);
  EXPECT_TRUE(dialog.resumes());
  EXPECT_EQ(dialog.runButton()->text(), QStringLiteral("Resume"));
  EXPECT_TRUE(dialog.runButton()->isEnabled());
  EXPECT_EQ(nlohmann::json::parse(dialog.configJson().toStdString())["sweep"], table.spec);

  table.total_trials = 4;  // every trial done: nothing to resume, and not to be overwritten
  write_sweep(table, folder.toStdString());
  dialog.folderEdit()->setText(folder + QStringLiteral("/"));
  EXPECT_FALSE(dialog.runButton()->isEnabled());
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("finished sweep")));
}

/// "Apply this trial" sets the window up as the trial: from its run's config.json, or rebuilt from the sweep.
class SweepApplyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  void SetUp() override {
    ASSERT_TRUE(dir.isValid());
    test::makeBatchWindow(window, dir.path());
  }
  int rowOfDepth(int depth) const {
    QAbstractItemModel* rows = window.sweepView()->tableView()->model();
    for (int row = 0; row < rows->rowCount(); ++row) {
      if (rows->index(row, 1).data().toString() == QString::number(depth)) return row;
    }
    return -1;
  }
  MainWindow window;
  QTemporaryDir dir;
};

TEST_F(SweepApplyTest, LoadsTheTrialsStrategyIntoTheSession) {
  const ExperimentConfig base = config_from_json(nlohmann::json::parse(test::untrainedConfigJson().toStdString()));
  SweepTable table = test::depthSweep();
  table.base_config = config_to_json(base);
  // Depth 1's run left its config; the others are rebuilt from the base config.
  ExperimentConfig trialOne = base;
  trialOne.transfer.strategy = Strategy::PartialFineTuning;
  trialOne.transfer.options.top_blocks = 2;
  const QString runDir = dir.filePath(QStringLiteral("trial-003"));
  QDir().mkpath(runDir);
  write_file_atomically(QDir(runDir).filePath(QStringLiteral("config.json")).toStdString(),
                        config_to_json(trialOne).dump());
  for (TrialResult& trial : table.trials) {
    if (trial.values["frozen_depth"] == 1) trial.run_dir = runDir.toStdString();
  }
  write_sweep(table, dir.path().toStdString());
  QString error;
  ASSERT_TRUE(window.openSweep(dir.path(), &error)) << error.toStdString();
  EXPECT_EQ(window.plotTabs()->currentWidget(), window.sweepView());

  window.sweepView()->tableView()->selectRow(rowOfDepth(1));
  ASSERT_TRUE(window.sweepView()->applyButton()->isEnabled());
  window.sweepView()->applyButton()->click();
  EXPECT_EQ(window.session()->strategyName(), QStringLiteral("partial_fine_tuning"));
  EXPECT_EQ(window.session()->topBlocks(), 2);

  window.sweepView()->tableView()->selectRow(rowOfDepth(0));
  window.sweepView()->applySelectedTrial();
  EXPECT_EQ(window.session()->strategyName(), QStringLiteral("full_fine_tuning"));

  window.sweepView()->tableView()->selectRow(rowOfDepth(3));
  window.sweepView()->applySelectedTrial();
  EXPECT_EQ(window.session()->strategyName(), QStringLiteral("feature_extraction"));
}

TEST_F(SweepApplyTest, TheSweepTabIsAWindowPart) {
  const WindowPart* part = window.windowParts().find(QStringLiteral("sweep_tab"));
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->widget.data(), static_cast<QWidget*>(window.sweepView()));
  part->open();
  EXPECT_EQ(window.plotTabs()->currentWidget(), window.sweepView());
}

}  // namespace
}  // namespace tl
