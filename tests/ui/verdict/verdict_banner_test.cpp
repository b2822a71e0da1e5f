#include "verdict/verdict_banner.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

VerdictSummary summary(VerdictLabel label, double gap) {
  VerdictSummary s;
  s.label = label;
  s.sentence = QStringLiteral("%1, %2 ± 1.0 points over 3 seeds")
                   .arg(QString::fromStdString(verdict_label_title(label)))
                   .arg(gap);
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
  banner.showVerdict(summary(VerdictLabel::Positive, 6.8));
  EXPECT_FALSE(banner.isHidden());
  EXPECT_EQ(banner.label(), VerdictLabel::Positive);
  const QString text = banner.text();
  EXPECT_TRUE(text.contains(QStringLiteral("positive transfer, 6.8 ± 1.0 points over 3 seeds"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("82.1 %"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("scratch twin 75.3 %"))) << text.toStdString();
}

TEST(VerdictBanner, ColourFollowsTheLabel) {
  VerdictBanner banner;
  for (VerdictLabel label : {VerdictLabel::Positive, VerdictLabel::Negative, VerdictLabel::Inconclusive}) {
    banner.showVerdict(summary(label, 0.0));
    EXPECT_EQ(banner.palette().color(QPalette::Window), VerdictBanner::colorFor(label)) << verdict_label_name(label);
  }
  const QColor positive = VerdictBanner::colorFor(VerdictLabel::Positive);
  const QColor negative = VerdictBanner::colorFor(VerdictLabel::Negative);
  const QColor inconclusive = VerdictBanner::colorFor(VerdictLabel::Inconclusive);
  EXPECT_GT(positive.green(), positive.red());  // green
  EXPECT_GT(negative.red(), negative.green());  // red
  EXPECT_EQ(inconclusive.red(), inconclusive.green());  // grey
}

TEST(VerdictBanner, PerClassGapsAreInTheTooltipAndDetails) {
  VerdictBanner banner;
  banner.showVerdict(summary(VerdictLabel::Negative, -4.0));
  EXPECT_TRUE(banner.perClassText().contains(QStringLiteral("Sandal: +12.5 points")));
  EXPECT_TRUE(banner.perClassText().contains(QStringLiteral("Shirt: -3.0 points")));
  EXPECT_TRUE(banner.toolTip().contains(QStringLiteral("Shirt: -3.0 points")));
}

TEST(VerdictBanner, WaitingAndClearCarryNoLabel) {
  VerdictBanner banner;
  banner.showVerdict(summary(VerdictLabel::Positive, 5.0));
  banner.showWaiting(QStringLiteral("Comparing…"));
  EXPECT_FALSE(banner.label().has_value());
  EXPECT_EQ(banner.text(), QStringLiteral("Comparing…"));
  banner.clear();
  EXPECT_TRUE(banner.isHidden());
}

}  // namespace
}  // namespace tl
