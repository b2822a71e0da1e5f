#include "verdict/verdict_banner.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

VerdictSummary summary(const QString& label, double gap) {
  VerdictSummary s;
  s.label = label;
  s.sentence = QStringLiteral("%1 transfer, %2 ± 1.0 points over 3 seeds").arg(label).arg(gap);
  s.twinName = QStringLiteral("scratch twin");
  s.transferMean = 0.821;
  s.baselineMean = 0.753;
  s.seeds = 3;
  s.perClassGap = {12.5, -3.0};
  s.classNames = {QStringLiteral("Sandal"), QStringLiteral("Shirt")};
  return s;
}

TEST(VerdictBanner, ShowsTheSentenceBothAccuraciesAndTheTwin) {
  VerdictBanner banner;
  EXPECT_TRUE(banner.isHidden());
  banner.showVerdict(summary(QStringLiteral("positive"), 6.8));
  EXPECT_FALSE(banner.isHidden());
  EXPECT_EQ(banner.label(), QStringLiteral("positive"));
  const QString text = banner.text();
  EXPECT_TRUE(text.contains(QStringLiteral("positive transfer, 6.8 ± 1.0 points over 3 seeds"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("82.1 %"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("scratch twin 75.3 %"))) << text.toStdString();
}

TEST(VerdictBanner, ColourFollowsTheLabel) {
  VerdictBanner banner;
  for (const QString& label : {QStringLiteral("positive"), QStringLiteral("negative"), QStringLiteral("inconclusive")}) {
    banner.showVerdict(summary(label, 0.0));
    EXPECT_EQ(banner.palette().color(QPalette::Window), VerdictBanner::colorFor(label)) << label.toStdString();
  }
  const QColor positive = VerdictBanner::colorFor(QStringLiteral("positive"));
  const QColor negative = VerdictBanner::colorFor(QStringLiteral("negative"));
  const QColor inconclusive = VerdictBanner::colorFor(QStringLiteral("inconclusive"));
  EXPECT_GT(positive.green(), positive.red());  // green
  EXPECT_GT(negative.red(), negative.green());  // red
  EXPECT_EQ(inconclusive.red(), inconclusive.green());  // grey
}

TEST(VerdictBanner, PerClassGapsAreInTheTooltipAndDetails) {
  VerdictBanner banner;
  banner.showVerdict(summary(QStringLiteral("negative"), -4.0));
  EXPECT_TRUE(banner.perClassText().contains(QStringLiteral("Sandal: +12.5 points")));
  EXPECT_TRUE(banner.perClassText().contains(QStringLiteral("Shirt: -3.0 points")));
  EXPECT_TRUE(banner.toolTip().contains(QStringLiteral("Shirt: -3.0 points")));
}

TEST(VerdictBanner, WaitingAndClearCarryNoLabel) {
  VerdictBanner banner;
  banner.showVerdict(summary(QStringLiteral("positive"), 5.0));
  banner.showWaiting(QStringLiteral("Comparing…"));
  EXPECT_TRUE(banner.label().isEmpty());
  EXPECT_EQ(banner.text(), QStringLiteral("Comparing…"));
  banner.clear();
  EXPECT_TRUE(banner.isHidden());
}

}  // namespace
}  // namespace tl
