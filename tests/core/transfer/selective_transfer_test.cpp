#include "models/model_zoo.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

class SelectiveTransferOnEachModel : public ::testing::TestWithParam<std::string> {};

TEST_P(SelectiveTransferOnEachModel, ReinitialisesExactlyTheBlocksAboveK) {
  auto model = make_model(GetParam(), 5);
  const auto blocks = model->blocks();
  const auto n = static_cast<int>(blocks.size());
  for (int k = 1; k <= n; ++k) {
    StrategyOptions options;
    options.transferred_blocks = k;
    const auto plan = make_plan(Strategy::SelectiveTransfer, *model, options);
    std::vector<std::string> expected;
    for (int i = k; i < n; ++i) expected.insert(expected.end(), blocks[i].paths.begin(), blocks[i].paths.end());
    EXPECT_EQ(plan.reinitialized(), expected) << "K = " << k;
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(plan.setting_for(blocks[i].paths.front()).trainable, i >= k) << "K = " << k << ", block " << i;
    }
    EXPECT_TRUE(plan.setting_for(model->head_path()).trainable);
  }
}

TEST_P(SelectiveTransferOnEachModel, TransferredBlocksCanTrainAtALowerRate) {
  auto model = make_model(GetParam(), 5);
  StrategyOptions options;
  options.transferred_blocks = 1;
  options.lower_lr_multiplier = 0.1;
  const auto plan = make_plan(Strategy::SelectiveTransfer, *model, options);
  const auto first = model->blocks().front().paths.front();
  EXPECT_TRUE(plan.setting_for(first).trainable);
  EXPECT_DOUBLE_EQ(plan.setting_for(first).lr_multiplier, 0.1);
  EXPECT_DOUBLE_EQ(plan.setting_for(model->blocks().back().paths.front()).lr_multiplier, 1.0);
}

TEST_P(SelectiveTransferOnEachModel, KOutsideTheBlocksIsAnError) {
  auto model = make_model(GetParam(), 5);
  const auto n = model->num_blocks();
  StrategyOptions options;
  options.transferred_blocks = static_cast<int>(n + 1);
  try {
    make_plan(Strategy::SelectiveTransfer, *model, options);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "transfer.transferred_blocks: expected 1.." + std::to_string(n) +
                                         " for selective_transfer, got " + std::to_string(n + 1));
  }
  options.transferred_blocks = 0;
  EXPECT_THROW(make_plan(Strategy::SelectiveTransfer, *model, options), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Zoo, SelectiveTransferOnEachModel, ::testing::Values("small_cnn", "resnet_narrow"));

TEST(SelectiveTransfer, HasANameTitleAndExplanation) {
  EXPECT_EQ(strategy_name(Strategy::SelectiveTransfer), "selective_transfer");
  EXPECT_EQ(strategy_from_name("selective_transfer"), Strategy::SelectiveTransfer);
  EXPECT_EQ(strategy_title(Strategy::SelectiveTransfer), "Selective transfer");
  EXPECT_GT(strategy_explanation(Strategy::SelectiveTransfer).size(), 100u);
}

}  // namespace
}  // namespace tl
