#include "models/model_zoo.h"
#include "schedule/training_schedule.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace tl {
namespace {

constexpr double F = 0.0;  // frozen: no learning-rate multiplier

// Per block of small_cnn (block1..block3, from the input) and then the head:
// its learning-rate multiplier when it trains, F when it is frozen.
using Multipliers = std::vector<double>;

Multipliers multipliers_of(const TransferModelImpl& model, const FreezePlan& plan) {
  Multipliers out;
  auto add = [&](const std::string& path) {
    const LayerSetting s = plan.setting_for(path);
    out.push_back(s.trainable ? s.lr_multiplier : F);
  };
  for (const auto& block : model.blocks()) add(block.paths.front());
  add(model.head_path());
  return out;
}

TrainingSchedule gradual(int every) {
  TrainingSchedule s;
  s.unfreeze = UnfreezeKind::Gradual;
  s.unfreeze_every = every;
  return s;
}

TrainingSchedule two_phase(int head_epochs, double lr_mult) {
  TrainingSchedule s;
  s.unfreeze = UnfreezeKind::TwoPhase;
  s.head_epochs = head_epochs;
  s.lr_mult = lr_mult;
  return s;
}

TrainingSchedule decayed(double layer_decay, UnfreezeKind unfreeze = UnfreezeKind::None) {
  TrainingSchedule s;
  s.unfreeze = unfreeze;
  s.layer_decay = layer_decay;
  return s;
}

struct PlanCase {
  std::string name;
  Strategy strategy;
  StrategyOptions options;
  TrainingSchedule schedule;
  std::vector<Multipliers> per_epoch;  // expected at epochs 1, 2, ...
};

std::vector<PlanCase> plan_cases() {
  const StrategyOptions top2{2, 0.0, 1};
  const StrategyOptions top1{1, 0.0, 1};
  return {
      {"none_keeps_the_final_plan", Strategy::PartialFineTuning, top2, TrainingSchedule{},
       {{F, 1, 1, 1}, {F, 1, 1, 1}}},
      {"gradual_every_epoch", Strategy::FullFineTuning, {}, gradual(1),
       {{F, F, F, 1}, {F, F, 1, 1}, {F, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}}},
      {"gradual_every_two_epochs_keeps_the_strategys_frozen_block", Strategy::PartialFineTuning, top2, gradual(2),
       {{F, F, F, 1}, {F, F, F, 1}, {F, F, 1, 1}, {F, F, 1, 1}, {F, 1, 1, 1}, {F, 1, 1, 1}}},
      {"gradual_never_holds_back_reinitialised_blocks", Strategy::LayerReplacement, top1, gradual(1),
       {{F, F, 1, 1}, {F, F, 1, 1}, {F, F, 1, 1}}},
      {"two_phase_spaces_rates_geometrically", Strategy::FullFineTuning, {}, two_phase(2, 8.0),
       {{F, F, F, 1}, {F, F, F, 1}, {0.125, 0.25, 0.5, 1}, {0.125, 0.25, 0.5, 1}}},
      {"two_phase_spacing_ends_at_the_lowest_trained_block", Strategy::PartialFineTuning, top2, two_phase(1, 4.0),
       {{F, F, F, 1}, {F, 0.25, 0.5, 1}}},
      {"layer_decay_alone", Strategy::FullFineTuning, {}, decayed(0.5), {{0.125, 0.25, 0.5, 1}, {0.125, 0.25, 0.5, 1}}},
      {"layer_decay_with_gradual_unfreezing", Strategy::FullFineTuning, {}, decayed(0.5, UnfreezeKind::Gradual),
       {{F, F, F, 1}, {F, F, 0.5, 1}, {F, 0.25, 0.5, 1}, {0.125, 0.25, 0.5, 1}}},
  };
}

TEST(TrainingSchedulePlan, EachScheduleGivesTheExpectedPlanAtEveryEpoch) {
  torch::manual_seed(0);
  auto model = make_model("small_cnn", 5);
  ASSERT_EQ(model->num_blocks(), 3);
  for (const auto& c : plan_cases()) {
    const FreezePlan final_plan = make_plan(c.strategy, *model, c.options);
    for (size_t e = 0; e < c.per_epoch.size(); ++e) {
      const int epoch = static_cast<int>(e) + 1;
      const Multipliers got = multipliers_of(*model, plan_at_epoch(final_plan, *model, c.schedule, epoch));
      ASSERT_EQ(got.size(), c.per_epoch[e].size()) << c.name;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i], c.per_epoch[e][i], 1e-12) << c.name << ", epoch " << epoch << ", row " << i;
      }
    }
  }
}

TEST(TrainingSchedulePlan, KeepsTheReinitialisationListAndTheUsersRatiosInsideABlock) {
  torch::manual_seed(0);
  auto model = make_model("small_cnn", 5);
  FreezePlan final_plan = make_plan(Strategy::LayerReplacement, *model, {1, 0.0, 1});
  final_plan.set("features.1", {true, 1.0});
  final_plan.set_lr_multiplier("features.1.0", 3.0);  // a user's edit inside block2
  const FreezePlan plan = plan_at_epoch(final_plan, *model, decayed(0.5), 1);
  EXPECT_EQ(plan.reinitialized(), final_plan.reinitialized());
  EXPECT_DOUBLE_EQ(plan.setting_for("features.1").lr_multiplier, 0.25);
  EXPECT_DOUBLE_EQ(plan.setting_for("features.1.0.weight").lr_multiplier, 0.75);
}

struct FactorCase {
  std::string name;
  LrSchedule lr;
  std::vector<std::pair<int64_t, double>> step_factor;  // of 100 steps, 10 a epoch
};

LrSchedule shape(LrShape s) {
  LrSchedule lr;
  lr.shape = s;
  return lr;
}

std::vector<FactorCase> factor_cases() {
  LrSchedule step = shape(LrShape::Step);
  step.step_epochs = 2;
  step.gamma = 0.1;
  return {
      {"constant", shape(LrShape::Constant), {{0, 1.0}, {57, 1.0}, {99, 1.0}}},
      {"step", step, {{0, 1.0}, {19, 1.0}, {20, 0.1}, {39, 0.1}, {45, 0.01}, {99, 1e-4}}},
      {"cosine",
       shape(LrShape::Cosine),
       {{0, 1.0}, {25, 0.5 * (1.0 + std::cos(M_PI / 4.0))}, {50, 0.5}, {100, 0.0}}},
      // Warm-up over the first 10 steps from 1/32 of the peak, then a linear fall over 90.
      {"one_cycle",
       shape(LrShape::OneCycle),
       {{0, 1.0 / 32.0}, {5, 16.5 / 32.0}, {10, 1.0}, {55, 16.5 / 32.0}, {100, 1.0 / 32.0}}},
  };
}

TEST(LrScheduleFactor, EachShapeGivesTheExpectedFactorAtChosenSteps) {
  for (const auto& c : factor_cases()) {
    for (const auto& [step, expected] : c.step_factor) {
      EXPECT_NEAR(c.lr.factor(step, 100, 10), expected, 1e-12) << c.name << " at step " << step;
    }
  }
}

TEST(TrainingScheduleTimeline, GivesEachBlocksRateAtTheFirstStepOfEachEpoch) {
  torch::manual_seed(0);
  auto model = make_model("small_cnn", 5);
  TrainingSchedule s = gradual(1);
  s.lr.shape = LrShape::Cosine;
  const auto rows = schedule_timeline(make_plan(Strategy::FullFineTuning, *model), *model, s, 3, 0.1, 10);
  // Cosine factors at steps 0, 10, 20 of 30: 1, 0.75, 0.25.
  const std::vector<std::pair<std::string, std::vector<double>>> expected = {{"block1", {0, 0, 0}},
                                                                               {"block2", {0, 0, 0.025}},
                                                                               {"block3", {0, 0.075, 0.025}},
                                                                               {"head", {0.1, 0.075, 0.025}}};
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].block, expected[r].first);
    ASSERT_EQ(rows[r].lr.size(), 3u);
    for (size_t e = 0; e < 3; ++e) EXPECT_NEAR(rows[r].lr[e], expected[r].second[e], 1e-12) << rows[r].block << e;
  }
}

TEST(TrainingScheduleNames, RoundTripAndListTheKnownNamesOnError) {
  for (const auto k : all_unfreeze_kinds()) EXPECT_EQ(unfreeze_from_name(unfreeze_name(k)), k);
  for (const auto s : all_lr_shapes()) EXPECT_EQ(lr_shape_from_name(lr_shape_name(s)), s);
  EXPECT_EQ(unfreeze_name(UnfreezeKind::TwoPhase), "two_phase");
  EXPECT_EQ(lr_shape_name(LrShape::OneCycle), "one_cycle");
  try {
    unfreeze_from_name("slow");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown unfreeze schedule 'slow' (expected none, gradual or two_phase)");
  }
  EXPECT_THROW(lr_shape_from_name("linear"), std::invalid_argument);
}

TEST(TrainingScheduleJson, WritesEveryField) {
  TrainingSchedule s = two_phase(3, 5.0);
  s.lr.shape = LrShape::OneCycle;
  const auto j = schedule_to_json(s);
  EXPECT_EQ(j.at("unfreeze"), "two_phase");
  EXPECT_EQ(j.at("head_epochs"), 3);
  EXPECT_EQ(j.at("lr_mult"), 5.0);
  EXPECT_EQ(j.at("layer_decay"), 1.0);
  EXPECT_EQ(j.at("unfreeze_every"), 1);
  EXPECT_EQ(j.at("lr").at("shape"), "one_cycle");
  EXPECT_EQ(j.at("lr").size(), 5u);
  EXPECT_TRUE(TrainingSchedule{}.is_default());
  EXPECT_FALSE(s.is_default());
}

}  // namespace
}  // namespace tl
