#include "models/model_zoo.h"
#include "transfer/plan_edits.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

// A small model's module paths in pre-order, the root first.
const std::vector<std::string> kLayers = {
    "",              // 0
    "features",      // 1
    "features.0",    // 2
    "features.0.0",  // 3
    "features.0.1",  // 4
    "features.1",    // 5
    "features.1.0",  // 6
    "classifier",    // 7
};

constexpr LayerSetting kFrozen{false, 1.0};
constexpr LayerSetting kTrains{true, 1.0};

TEST(CoveringSubtrees, AreTheFewestWholeSubtreesOfARange) {
  struct Case {
    size_t first, last;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {0, 8, {""}},
      {0, 0, {}},
      {1, 8, {"features", "classifier"}},
      {0, 5, {"features.0"}},  // the root and "features" straddle the end
      {5, 8, {"features.1", "classifier"}},
      {3, 6, {"features.0.0", "features.0.1"}},
      {7, 8, {"classifier"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(covering_subtrees(kLayers, c.first, c.last), c.expected) << "[" << c.first << ", " << c.last << ")";
  }
}

TEST(FreezeUpTo, FreezesThroughTheSubtreeAndTrainsTheRest) {
  struct Case {
    std::string path;
    LayerEdits expected;
  };
  const std::vector<Case> cases = {
      {"features.0", {{"features.0", kFrozen}, {"features.1", kTrains}, {"classifier", kTrains}}},
      {"features.0.0", {{"features.0.0", kFrozen}, {"features.0.1", kTrains}, {"features.1", kTrains},
                        {"classifier", kTrains}}},
      {"features", {{"features", kFrozen}, {"classifier", kTrains}}},
      {"classifier", {{"", kFrozen}}},
      {"", {{"", kFrozen}}},
  };
  for (const auto& c : cases) {
    LayerEdits edits;
    EXPECT_TRUE(freeze_up_to(edits, FreezePlan{}, kLayers, c.path)) << c.path;
    EXPECT_EQ(edits, c.expected) << "freeze up to '" << c.path << "'";
  }
}

TEST(UnfreezeFrom, FreezesWhatComesBeforeAndTrainsFromThere) {
  struct Case {
    std::string path;
    LayerEdits expected;
  };
  const std::vector<Case> cases = {
      {"features.1", {{"features.0", kFrozen}, {"features.1", kTrains}, {"classifier", kTrains}}},
      {"features.0.1", {{"features.0.0", kFrozen}, {"features.0.1", kTrains}, {"features.1", kTrains},
                        {"classifier", kTrains}}},
      {"classifier", {{"features", kFrozen}, {"classifier", kTrains}}},
      {"", {{"", kTrains}}},
  };
  for (const auto& c : cases) {
    LayerEdits edits;
    EXPECT_TRUE(unfreeze_from(edits, FreezePlan{}, kLayers, c.path)) << c.path;
    EXPECT_EQ(edits, c.expected) << "unfreeze from '" << c.path << "'";
  }
}

TEST(FreezeUpTo, AnUnknownLayerChangesNothing) {
  LayerEdits edits = {{"classifier", kFrozen}};
  const LayerEdits before = edits;
  EXPECT_FALSE(freeze_up_to(edits, FreezePlan{}, kLayers, "features.9"));
  EXPECT_FALSE(unfreeze_from(edits, FreezePlan{}, kLayers, "features.9"));
  EXPECT_EQ(edits, before);
}

TEST(SetSubtreeTrainable, RewritesTheEntriesBelowAndKeepsTheirMultipliers) {
  FreezePlan plan;
  plan.set("features", {true, 0.5});
  plan.set("features.0.1", {false, 0.25});
  struct Case {
    std::string path;
    bool trainable;
    LayerEdits expected;
  };
  const std::vector<Case> cases = {
      {"features", false, {{"features", {false, 0.5}}, {"features.0.1", {false, 0.25}}}},
      {"features", true, {{"features", {true, 0.5}}, {"features.0.1", {true, 0.25}}}},
      {"features.0", true, {{"features.0", {true, 0.5}}, {"features.0.1", {true, 0.25}}}},
      {"features.1", false, {{"features.1", {false, 0.5}}}},
      {"classifier", false, {{"classifier", kFrozen}}},
      {"", true, {{"", kTrains}, {"features", {true, 0.5}}, {"features.0.1", {true, 0.25}}}},
  };
  for (const auto& c : cases) {
    LayerEdits edits;
    set_subtree_trainable(edits, plan, c.path, c.trainable);
    EXPECT_EQ(edits, c.expected) << "'" << c.path << "' " << c.trainable;
  }
}

TEST(SetLayerLrMultiplier, KeepsWhetherTheLayerTrainsAndClampsToTheConfigsRange) {
  FreezePlan plan;
  plan.set("features", kFrozen);
  struct Case {
    std::string path;
    double multiplier;
    LayerSetting expected;
  };
  const std::vector<Case> cases = {
      {"features.1", 0.5, {false, 0.5}},
      {"classifier", 2.0, {true, 2.0}},
      {"classifier", 250.0, {true, kMaxLayerLrMultiplier}},
      {"classifier", -1.0, {true, 0.0}},
  };
  for (const auto& c : cases) {
    LayerEdits edits;
    set_layer_lr_multiplier(edits, plan, c.path, c.multiplier);
    EXPECT_EQ(edits, (LayerEdits{{c.path, c.expected}})) << c.path << " × " << c.multiplier;
  }
}

TEST(DropRedundantEdits, ClearsEditsThatChangeNoLayerWithParameters) {
  FreezePlan strategy;
  strategy.set("", kFrozen);
  strategy.set("classifier", kTrains);
  const std::vector<std::string> withParameters = {"features.0.0", "features.1.0", "classifier"};
  struct Case {
    const char* what;
    LayerEdits edits;
    bool dropped;
  };
  const std::vector<Case> cases = {
      {"the same settings written differently", {{"features", kFrozen}, {"classifier", kTrains}}, true},
      {"an edit undone", {{"classifier", kTrains}}, true},
      {"a layer unfrozen", {{"features.1", kTrains}}, false},
      {"a multiplier changed", {{"classifier", {true, 0.5}}}, false},
      {"a container without parameters of its own", {{"features", kFrozen}}, true},
  };
  for (const auto& c : cases) {
    FreezePlan edited = strategy;
    for (const auto& [path, setting] : c.edits) edited.set(path, setting);
    LayerEdits edits = c.edits;
    EXPECT_EQ(drop_redundant_edits(edits, edited, strategy, withParameters), c.dropped) << c.what;
    EXPECT_EQ(edits.empty(), c.dropped) << c.what;
  }
}

TEST(FreezePlanFor, AppliesEditsAfterTheStrategyParentsFirst) {
  auto model = make_model("small_cnn", 3);
  // std::map orders "features" before "features.1": the child's edit survives its parent's.
  const LayerEdits edits = {{"features.1", {true, 0.5}}, {"features", kFrozen}};
  const FreezePlan plan = freeze_plan_for({Strategy::FullFineTuning, {}}, edits, *model);
  EXPECT_FALSE(plan.setting_for("features.0.0.weight").trainable);
  EXPECT_TRUE(plan.setting_for("features.1.0.weight").trainable);
  EXPECT_DOUBLE_EQ(plan.setting_for("features.1.0.weight").lr_multiplier, 0.5);
  EXPECT_TRUE(plan.setting_for("classifier.weight").trainable);
  EXPECT_EQ(freeze_plan_for({Strategy::FeatureExtraction, {}}, {}, *model),
            make_plan(Strategy::FeatureExtraction, *model));
}

TEST(FreezePlanFor, NamesTheFieldOfAnUnknownLayerOrBlockCount) {
  auto model = make_model("small_cnn", 3);
  try {
    freeze_plan_for({Strategy::FullFineTuning, {}}, {{"features.9", kFrozen}}, *model);
    FAIL() << "expected a PlanError";
  } catch (const PlanError& e) {
    EXPECT_EQ(e.field(), "transfer.layers.features.9");
    EXPECT_STREQ(e.what(), "transfer.layers.features.9: no such layer in small_cnn (see `transferlab-cli layers`)");
  }
  StrategyOptions options;
  options.transferred_blocks = 4;
  try {
    freeze_plan_for({Strategy::SelectiveTransfer, options}, {}, *model);
    FAIL() << "expected a PlanError";
  } catch (const PlanError& e) {
    EXPECT_EQ(e.field(), "transfer.transferred_blocks");
    EXPECT_EQ(e.reason(), "expected 1..3 for selective_transfer, got 4");
  }
}

}  // namespace
}  // namespace tl
