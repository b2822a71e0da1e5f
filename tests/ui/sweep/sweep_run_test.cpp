// End to end: a tiny sweep through the dialog's values and the Sweep view's
// runner (core's run_sweep), filling the table and the curve.

#include "session/experiment_session.h"
#include "sweep/sweep_dialog.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_table.h"
#include "sweep/sweep_table_model.h"
#include "sweep/sweep_view.h"
#include "sweep/transferability_plot.h"
#include "sweep_fixtures.h"
#include "support/batch_window.h"
#include "support/ui_wait.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>

#include <algorithm>

namespace tl {
namespace {

constexpr int kSweepTimeoutMs = 600000;  // two cores shared with other builds

using SweepRunTest = test::SweepSessionTest;

/// A real sweep through the dialog's values and the view's runner: two depths, one seed.
TEST_F(SweepRunTest, ATinySweepThroughTheDialogFillsTheView) {
  SweepDialog dialog(session, runs.path());
  for (QCheckBox* box : dialog.depthBoxes()) box->setChecked(false);
  dialog.depthBoxes()[0]->setChecked(true);
  dialog.depthBoxes()[session.blockCount()]->setChecked(true);
  dialog.seedsBox()->setValue(1);
  ASSERT_EQ(dialog.countText(), QStringLiteral("2 trials × 1 seed = 2 runs + 1 twin"));
  ASSERT_TRUE(dialog.runButton()->isEnabled());

  SweepView view;
  view.runner()->setHistoryPath(runs.filePath(QStringLiteral("history.sqlite")));
  ASSERT_TRUE(view.startSweep(dialog.configJson(), dialog.directory()));
  EXPECT_TRUE(view.cancelButton()->isVisibleTo(&view));
  ASSERT_TRUE(test::wait_until([&] { return !view.runner()->isRunning(); }, kSweepTimeoutMs));

  ASSERT_EQ(view.model()->rowCount(), 2);
  EXPECT_FALSE(view.cancelButton()->isVisibleTo(&view));
  EXPECT_FALSE(view.canResume());
  ASSERT_EQ(view.curve()->seriesCount(), 1);
  const auto points = view.curve()->points(0);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_DOUBLE_EQ(points[0].x, 0.0);
  EXPECT_DOUBLE_EQ(points[1].x, session.blockCount());
  EXPECT_EQ(view.curve()->bandCount(), 1);
  EXPECT_TRUE(QFile::exists(QDir(dialog.directory()).filePath(QStringLiteral("sweep.json"))));
  const SweepTable written = read_sweep(dialog.directory().toStdString());
  ASSERT_EQ(written.trials.size(), 2u);
  for (const TrialResult& trial : written.trials) {
    const auto drawn = std::find_if(points.begin(), points.end(), [&](const auto& p) {
      return p.x == trial.values["frozen_depth"].get<double>();
    });
    ASSERT_NE(drawn, points.end());
    EXPECT_NEAR(drawn->accuracy, 100.0 * trial.mean, 1e-9);
  }
}

}  // namespace
}  // namespace tl
