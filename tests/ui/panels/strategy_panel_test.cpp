#include "panels/strategy_panel.h"

#include "support/ui_test_helpers.h"

#include <QDoubleSpinBox>
#include <QSpinBox>

namespace tl {
namespace {

using test::makeSession;

TEST(StrategyPanel, ChoosingAStrategyAppliesItAtOnce) {
  auto session = makeSession();
  StrategyPanel panel(session.get());
  for (const QString& name : session->strategyNames()) {
    panel.chooseStrategy(name);
    EXPECT_EQ(session->strategyName(), name);
    EXPECT_EQ(panel.checkedStrategy(), name);
    EXPECT_TRUE(panel.explanationText().contains(ExperimentSession::strategyTitle(name)));
  }
  panel.chooseStrategy(QStringLiteral("feature_extraction"));
  EXPECT_LT(session->trainableParameters(), session->totalParameters() / 2);
}

TEST(StrategyPanel, ChoosingASimilarityAppliesItsDefaultStrategy) {
  auto session = makeSession();
  StrategyPanel panel(session.get());
  panel.chooseSimilarity(QStringLiteral("high"));
  EXPECT_EQ(session->similarity(), QStringLiteral("high"));
  EXPECT_EQ(panel.checkedStrategy(), QStringLiteral("feature_extraction"));
  panel.chooseSimilarity(QStringLiteral("low"));
  EXPECT_EQ(panel.checkedStrategy(), QStringLiteral("layer_replacement"));
  EXPECT_TRUE(panel.explanationText().contains(QStringLiteral("Low similarity")));
}

TEST(StrategyPanel, ShowsCustomAfterATreeEditAndLeavesItOnAChoice) {
  auto session = makeSession();
  StrategyPanel panel(session.get());
  panel.chooseStrategy(QStringLiteral("full_fine_tuning"));
  session->setTrainable({session->layers().back().path}, false);
  EXPECT_EQ(panel.checkedStrategy(), QStringLiteral("custom"));
  panel.chooseStrategy(QStringLiteral("custom"));  // a state, not a choice: nothing changes
  EXPECT_TRUE(session->isCustom());
  panel.chooseStrategy(QStringLiteral("full_fine_tuning"));
  EXPECT_FALSE(session->isCustom());
  EXPECT_EQ(panel.checkedStrategy(), QStringLiteral("full_fine_tuning"));
}

TEST(StrategyPanel, BlockSpinFollowsTheModelAndReappliesTheStrategy) {
  auto session = makeSession();
  StrategyPanel panel(session.get());
  panel.chooseStrategy(QStringLiteral("partial_fine_tuning"));
  EXPECT_EQ(panel.topBlocksSpin()->maximum(), session->blockCount());
  EXPECT_TRUE(panel.topBlocksSpin()->isEnabled());
  EXPECT_TRUE(panel.lowerLrSpin()->isEnabled());
  const qint64 before = session->trainableParameters();
  panel.topBlocksSpin()->setValue(2);
  EXPECT_EQ(session->topBlocks(), 2);
  EXPECT_GT(session->trainableParameters(), before);
  panel.chooseStrategy(QStringLiteral("full_fine_tuning"));
  EXPECT_FALSE(panel.topBlocksSpin()->isEnabled());
  EXPECT_FALSE(panel.lowerLrSpin()->isEnabled());
}

TEST(StrategyPanel, SelectiveTransferCountsBlocksKeptFromTheInput) {
  auto session = makeSession();
  if (!session->strategyNames().contains(QStringLiteral("selective_transfer"))) GTEST_SKIP();
  StrategyPanel panel(session.get());
  panel.chooseStrategy(QStringLiteral("selective_transfer"));
  EXPECT_TRUE(panel.topBlocksSpin()->isEnabled());
  EXPECT_TRUE(panel.lowerLrSpin()->isEnabled());
  panel.topBlocksSpin()->setValue(2);
  EXPECT_EQ(session->transferredBlocks(), 2);
  EXPECT_EQ(session->strategyBlocks(), 2);
  EXPECT_TRUE(panel.explanationText().contains(QStringLiteral("Blocks kept from the input: 2"))) << panel.explanationText().toStdString();
}

}  // namespace
}  // namespace tl
