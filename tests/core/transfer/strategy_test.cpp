#include "models/model_zoo.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

// Trainable flag of each block (in order) and of the head under a plan.
std::vector<bool> block_trainability(const TransferModelImpl& model, const FreezePlan& plan) {
  std::vector<bool> out;
  for (const auto& block : model.blocks()) out.push_back(plan.setting_for(block.paths.front()).trainable);
  out.push_back(plan.setting_for(model.head_path()).trainable);
  return out;
}

class StrategyOnEachModel : public ::testing::TestWithParam<std::string> {};

TEST_P(StrategyOnEachModel, FeatureExtractionTrainsOnlyTheHead) {
  auto model = make_model(GetParam(), 5);
  const auto plan = make_plan(Strategy::FeatureExtraction, *model);
  std::vector<bool> expected(model->num_blocks(), false);
  expected.push_back(true);
  EXPECT_EQ(block_trainability(*model, plan), expected);
  EXPECT_TRUE(plan.reinitialized().empty());
}

TEST_P(StrategyOnEachModel, PartialFineTuningTrainsTheTopBlocksAndHead) {
  auto model = make_model(GetParam(), 5);
  const auto plan = make_plan(Strategy::PartialFineTuning, *model, {2, 0.0});
  const auto n = model->num_blocks();
  std::vector<bool> expected(n, false);
  expected[n - 1] = expected[n - 2] = true;
  expected.push_back(true);
  EXPECT_EQ(block_trainability(*model, plan), expected);
}

TEST_P(StrategyOnEachModel, PartialFineTuningWithLowerRateKeepsLowerBlocksTraining) {
  auto model = make_model(GetParam(), 5);
  const auto plan = make_plan(Strategy::PartialFineTuning, *model, {1, 0.1});
  const auto first = model->blocks().front().paths.front();
  EXPECT_TRUE(plan.setting_for(first).trainable);
  EXPECT_DOUBLE_EQ(plan.setting_for(first).lr_multiplier, 0.1);
  EXPECT_DOUBLE_EQ(plan.setting_for(model->head_path()).lr_multiplier, 1.0);
}

TEST_P(StrategyOnEachModel, FullFineTuningTrainsEverything) {
  auto model = make_model(GetParam(), 5);
  const auto plan = make_plan(Strategy::FullFineTuning, *model);
  EXPECT_EQ(block_trainability(*model, plan), std::vector<bool>(model->num_blocks() + 1, true));
}

TEST_P(StrategyOnEachModel, LayerReplacementReinitialisesTheTopBlocks) {
  auto model = make_model(GetParam(), 5);
  const auto plan = make_plan(Strategy::LayerReplacement, *model, {1, 0.0});
  const auto blocks = model->blocks();
  EXPECT_EQ(plan.reinitialized(), blocks.back().paths);
  std::vector<bool> expected(model->num_blocks(), false);
  expected.back() = true;
  expected.push_back(true);
  EXPECT_EQ(block_trainability(*model, plan), expected);
}

TEST_P(StrategyOnEachModel, TopBlocksOutOfRangeIsAnError) {
  auto model = make_model(GetParam(), 5);
  const auto n = model->num_blocks();
  try {
    make_plan(Strategy::PartialFineTuning, *model, {static_cast<int>(n + 1), 0.0});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "transfer.top_blocks: expected 1.." + std::to_string(n) +
                                         " for partial_fine_tuning, got " + std::to_string(n + 1));
  }
  EXPECT_THROW(make_plan(Strategy::LayerReplacement, *model, {0, 0.0}), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Zoo, StrategyOnEachModel, ::testing::Values("small_cnn", "resnet_narrow"));

TEST(Strategy, SimilarityLevelsMapToDefaults) {
  EXPECT_EQ(default_strategy(Similarity::High).strategy, Strategy::FeatureExtraction);
  EXPECT_EQ(default_strategy(Similarity::Moderate).strategy, Strategy::PartialFineTuning);
  EXPECT_EQ(default_strategy(Similarity::Low).strategy, Strategy::LayerReplacement);
}

TEST(Strategy, NamesRoundTripAndUnknownNamesListTheChoices) {
  for (auto s : all_strategies()) EXPECT_EQ(strategy_from_name(strategy_name(s)), s);
  for (auto s : all_similarities()) EXPECT_EQ(similarity_from_name(similarity_name(s)), s);
  try {
    strategy_from_name("fine_tune");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "unknown strategy 'fine_tune' (expected one of feature_extraction, partial_fine_tuning, "
                 "full_fine_tuning, layer_replacement, selective_transfer)");
  }
}

TEST(Strategy, OptionTableSaysWhichOptionsEachStrategyReads) {
  struct Case {
    Strategy strategy;
    bool blocks, from_input, lower_lr;
    const char* field;
  };
  const std::vector<Case> cases = {
      {Strategy::FeatureExtraction, false, false, false, "transfer.top_blocks"},
      {Strategy::PartialFineTuning, true, false, true, "transfer.top_blocks"},
      {Strategy::FullFineTuning, false, false, false, "transfer.top_blocks"},
      {Strategy::LayerReplacement, true, false, false, "transfer.top_blocks"},
      {Strategy::SelectiveTransfer, true, true, true, "transfer.transferred_blocks"},
  };
  ASSERT_EQ(cases.size(), all_strategies().size());
  for (const auto& c : cases) {
    const StrategyOptionUse use = strategy_option_use(c.strategy);
    EXPECT_EQ(use.blocks, c.blocks) << strategy_name(c.strategy);
    EXPECT_EQ(use.blocks_from_input, c.from_input) << strategy_name(c.strategy);
    EXPECT_EQ(use.lower_lr_multiplier, c.lower_lr) << strategy_name(c.strategy);
    EXPECT_EQ(block_count_field(c.strategy), c.field) << strategy_name(c.strategy);
    StrategyOptions options;
    options.top_blocks = 2;
    options.transferred_blocks = 3;
    EXPECT_EQ(block_count(options, c.strategy), c.from_input ? 3 : 2) << strategy_name(c.strategy);
    block_count(options, c.strategy) = 5;
    EXPECT_EQ(c.from_input ? options.transferred_blocks : options.top_blocks, 5) << strategy_name(c.strategy);
  }
}

TEST(Strategy, ABlockCountOutOfRangeIsAPlanErrorNamingItsField) {
  auto model = make_model("small_cnn", 5);
  try {
    make_plan(Strategy::LayerReplacement, *model, {4, 0.0});
    FAIL() << "expected a PlanError";
  } catch (const PlanError& e) {
    EXPECT_EQ(e.field(), "transfer.top_blocks");
    EXPECT_EQ(e.reason(), "expected 1..3 for layer_replacement, got 4");
  }
}

TEST(Strategy, EveryChoiceHasAnExplanation) {
  for (auto s : all_strategies()) EXPECT_GT(strategy_explanation(s).size(), 100u);
  for (auto s : all_similarities()) EXPECT_GT(similarity_explanation(s).size(), 60u);
}

}  // namespace
}  // namespace tl
