#include "experiment/baseline.h"
#include "style/palette.h"
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

constexpr VerdictLabel kLabels[] = {VerdictLabel::Positive, VerdictLabel::Negative, VerdictLabel::Inconclusive,
                                    VerdictLabel::SingleSeed};

TEST(VerdictBanner, EachLabelShowsItsSymbolAndWordNotOnlyAColour) {
  VerdictBanner banner;
  QStringList symbols;
  for (VerdictLabel label : kLabels) {
    banner.showVerdict(summary(label, 0.0));
    const style::VerdictLook look = style::verdictLook(label);
    const QString mark = look.symbol + QStringLiteral(" Verdict: ") + QString::fromStdString(verdict_label_title(label));
    EXPECT_TRUE(banner.text().startsWith(mark)) << banner.text().toStdString();
    EXPECT_EQ(banner.palette().color(QPalette::Window), look.background) << verdict_label_name(label);
    symbols << look.symbol;
  }
  symbols.removeDuplicates();
  EXPECT_EQ(symbols.size(), 4);
}

TEST(VerdictBanner, PositiveAndNegativeAreBlueAndVermillionAndTheRestNeutral) {
  const QColor positive = style::verdictLook(VerdictLabel::Positive).background;
  const QColor negative = style::verdictLook(VerdictLabel::Negative).background;
  EXPECT_GT(positive.blue(), positive.red());  // blue, not green
  EXPECT_GT(negative.red(), negative.blue());  // vermillion
  for (VerdictLabel neutral : {VerdictLabel::Inconclusive, VerdictLabel::SingleSeed}) {
    const QColor grey = style::verdictLook(neutral).background;
    EXPECT_EQ(grey.red(), grey.green());
    EXPECT_EQ(grey.green(), grey.blue());
  }
}

TEST(VerdictBanner, ASingleSeedShowsItsGapAndClaimsNothing) {
  const Verdict verdict = judge_transfer({{1, 0.75, 0.70, {}, {}}});
  VerdictSummary s = summary(verdict.label, verdict.gap);
  s.sentence = QString::fromStdString(verdict.sentence());
  s.seeds = 1;
  VerdictBanner banner;
  banner.showVerdict(s);
  EXPECT_EQ(banner.label(), VerdictLabel::SingleSeed);
  const QString text = banner.text();
  EXPECT_TRUE(text.startsWith(QStringLiteral("◆ Verdict: single seed, +5.0 points against the scratch twin — run 3 "
                                             "seeds to tell an effect from noise")))
      << text.toStdString();
  EXPECT_FALSE(text.contains(QStringLiteral("positive"))) << text.toStdString();
  EXPECT_FALSE(text.contains(QStringLiteral("negative"))) << text.toStdString();
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
