#include "models/model_zoo.h"
#include "transfer/freeze_plan.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

TEST(FreezePlan, PathPrefixRespectsDottedComponents) {
  EXPECT_TRUE(is_path_prefix("", "conv1.weight"));
  EXPECT_TRUE(is_path_prefix("layer1", "layer1.0.conv1.weight"));
  EXPECT_TRUE(is_path_prefix("layer1.0", "layer1.0"));
  EXPECT_FALSE(is_path_prefix("layer1", "layer10.weight"));
  EXPECT_FALSE(is_path_prefix("layer1.0.conv1", "layer1.0"));
}

TEST(FreezePlan, LongestPrefixWins) {
  FreezePlan plan;
  plan.set("", {false, 1.0});
  plan.set("layer2", {true, 0.1});
  plan.set("layer2.0.bn1", {false, 1.0});
  EXPECT_FALSE(plan.setting_for("conv1.weight").trainable);
  EXPECT_TRUE(plan.setting_for("layer2.0.conv1.weight").trainable);
  EXPECT_DOUBLE_EQ(plan.setting_for("layer2.0.conv1.weight").lr_multiplier, 0.1);
  EXPECT_FALSE(plan.setting_for("layer2.0.bn1.weight").trainable);
}

TEST(FreezePlan, SettingAParentOverridesItsSubtree) {
  FreezePlan plan;
  plan.set("layer1.0.conv1", {false, 1.0});
  plan.set("layer1", {true, 2.0});
  EXPECT_EQ(plan.entries().count("layer1.0.conv1"), 0u);
  EXPECT_TRUE(plan.setting_for("layer1.0.conv1.weight").trainable);
}

TEST(FreezePlan, NegativeMultiplierIsRejected) {
  FreezePlan plan;
  EXPECT_THROW(plan.set("fc", {true, -1.0}), std::invalid_argument);
  EXPECT_THROW(plan.set_lr_multiplier("fc", -0.5), std::invalid_argument);
}

TEST(FreezePlan, ValidateNamesTheUnknownLayer) {
  auto model = make_model("small_cnn", 5);
  FreezePlan plan;
  plan.set("features.7", {false, 1.0});
  try {
    plan.validate(*model, "small_cnn");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "freeze plan: no layer 'features.7' in small_cnn");
  }
}

TEST(FreezePlan, ApplySetsRequiresGradPerParameter) {
  auto model = make_model("small_cnn", 5);
  FreezePlan plan;
  plan.set("", {false, 1.0});
  plan.set("classifier", {true, 1.0});
  plan.apply(*model);
  for (const auto& p : model->named_parameters()) {
    EXPECT_EQ(p.value().requires_grad(), p.key().rfind("classifier", 0) == 0) << p.key();
  }
}

TEST(FreezePlan, FrozenModulesListsOnlyFullyFrozenModulesWithParameters) {
  auto model = make_model("small_cnn", 5);
  FreezePlan plan;
  plan.set("", {false, 1.0});
  plan.set("features.2", {true, 1.0});
  plan.set("classifier", {true, 1.0});
  const auto frozen = plan.frozen_modules(*model);
  auto has = [&](const std::string& p) { return std::find(frozen.begin(), frozen.end(), p) != frozen.end(); };
  EXPECT_TRUE(has("features.0"));
  EXPECT_TRUE(has("features.0.1"));  // a frozen BatchNorm
  EXPECT_FALSE(has("features"));     // partly trainable
  EXPECT_FALSE(has("features.2.0"));
  EXPECT_FALSE(has("features.0.2"));  // ReLU has no parameters
}

}  // namespace
}  // namespace tl
