#include "plot/loss_plot.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

using Series = LossPlot::Series;

/// Announces `job` and gives it two epochs of three batches.
void trainTwoEpochs(LossPlot& plot, const JobIdentity& job) {
  plot.beginJob(job);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    for (int batch = 1; batch <= 3; ++batch) plot.addBatch(epoch, batch, 3, 1.0 / (epoch + batch));
    plot.addEpoch(epoch, 0.5, 0.6, 0.7, 0.5 + 0.1 * epoch);
  }
}

TEST(LossPlotComparison, TwinPointsGoToTheirOwnCurvesNamedAfterTheTwin) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("demo"), 2);
  trainTwoEpochs(plot, {1, JobRole::Transfer, 0, 2, 1});
  trainTwoEpochs(plot, {1, JobRole::SourceOnlyTwin, 1, 2, 1});
  plot.flushPending();

  EXPECT_EQ(plot.pointCount(Series::ValAccuracy), 2);
  EXPECT_EQ(plot.twinPointCount(Series::ValAccuracy), 2);
  EXPECT_EQ(plot.twinPointCount(Series::TrainLossSmoothed), 6);
  EXPECT_EQ(plot.twinPointCount(Series::TrainLossRaw), 0);  // the twin's batch noise is left out
  EXPECT_EQ(plot.twinName(), QStringLiteral("source-only twin"));
  EXPECT_EQ(plot.twinPoints(Series::ValAccuracy).back(), QPointF(2.0, 70.0));
}

TEST(LossPlotComparison, EarlierSeedsStayFaintWhenTheNextSeedBegins) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("demo"), 2);
  trainTwoEpochs(plot, {1, JobRole::Transfer, 0, 4, 2});
  trainTwoEpochs(plot, {1, JobRole::ScratchTwin, 1, 4, 2});
  plot.beginJob({2, JobRole::Transfer, 2, 4, 2});
  plot.flushPending();

  EXPECT_EQ(plot.twinName(), QStringLiteral("scratch twin"));  // the seed is not part of the name
  EXPECT_EQ(plot.pointCount(Series::ValAccuracy), 0);  // seed 2 starts empty and bright
  EXPECT_EQ(plot.twinPointCount(Series::ValAccuracy), 0);
  // Seed 1's transfer and twin curves (all but the raw batch loss) are kept.
  EXPECT_EQ(plot.earlierSeedCurveCount(), 8);

  plot.beginRun(QStringLiteral("next"), 2);
  EXPECT_EQ(plot.earlierSeedCurveCount(), 0);
  EXPECT_TRUE(plot.twinName().isEmpty());
}

}  // namespace
}  // namespace tl
