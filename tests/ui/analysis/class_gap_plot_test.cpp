#include "analysis/class_gap_plot.h"

#include "analysis/run_analysis.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

PerClassGap gapOverSeeds(const std::string& name, double single, double mean, double std) {
  PerClassGap gap;
  gap.class_name = name;
  gap.transfer_accuracy = 0.8;
  gap.twin_accuracy = 0.8 - single / 100.0;
  gap.gap_points = single;
  gap.seeds = 3;
  gap.gap_points_over_seeds = MeanStd{mean, std};
  return gap;
}

PerClassGap singleGap(const std::string& name, double points) {
  PerClassGap gap;
  gap.class_name = name;
  gap.transfer_accuracy = 0.5;
  gap.twin_accuracy = 0.5 - points / 100.0;
  gap.gap_points = points;
  return gap;
}

TEST(ClassGapPlot, SeveralSeedsDrawTheMeanGapWithTheStdAsErrorBar) {
  ClassGapPlot plot;
  plot.setGaps({gapOverSeeds("Sandal", 4.0, 6.5, 1.25), gapOverSeeds("Bag", 1.0, -3.0, 2.5)},
               QStringLiteral("scratch twin"));
  ASSERT_EQ(plot.classes(), 2);
  const auto sandal = plot.bar(0);
  ASSERT_TRUE(sandal);
  EXPECT_DOUBLE_EQ(sandal->points, 6.5);
  ASSERT_TRUE(sandal->spread);
  EXPECT_DOUBLE_EQ(*sandal->spread, 1.25);
  const auto bag = plot.bar(1);
  ASSERT_TRUE(bag);
  EXPECT_DOUBLE_EQ(bag->points, -3.0);
  ASSERT_TRUE(bag->spread);
  EXPECT_DOUBLE_EQ(*bag->spread, 2.5);
}

TEST(ClassGapPlot, OneSeedDrawsTheSingleGapWithoutErrorBars) {
  ClassGapPlot plot;
  plot.setGaps({singleGap("Sneaker", 12.0), singleGap("Shirt", -7.5), singleGap("Bag", 0.0)});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(plot.bar(i)) << i;
  EXPECT_DOUBLE_EQ(plot.bar(0)->points, 12.0);
  EXPECT_DOUBLE_EQ(plot.bar(1)->points, -7.5);
  EXPECT_DOUBLE_EQ(plot.bar(2)->points, 0.0);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(plot.bar(i)->spread) << i;
}

TEST(ClassGapPlot, BarsBelowZeroAreMarkedAndOthersAreNot) {
  ClassGapPlot plot;
  plot.setGaps({singleGap("Sneaker", 12.0), singleGap("Shirt", -7.5), gapOverSeeds("Bag", 2.0, -0.5, 1.0)});
  EXPECT_FALSE(plot.isMarkedNegative(0));
  EXPECT_TRUE(plot.isMarkedNegative(1));
  EXPECT_TRUE(plot.isMarkedNegative(2));  // the mean over seeds decides, not the first seed
}

TEST(ClassGapPlot, RunWithoutTwinHasNoBarsAndSaysWhy) {
  ClassGapPlot plot;
  PerClassGap lone;
  lone.class_name = "Sandal";
  lone.transfer_accuracy = 0.9;
  plot.setGaps({lone});
  EXPECT_FALSE(plot.bar(0));
  EXPECT_EQ(plot.emptyText(), QStringLiteral("No per-class gap: this run has no twin to compare with."));
}

}  // namespace
}  // namespace tl
