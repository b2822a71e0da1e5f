#include "sweep/sweep_spec.h"

#include "support/config_error.h"
#include "support/small_checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace tl {
namespace {

using json = nlohmann::json;

ExperimentConfig base_config(const test::TestDir& dir) {
  ExperimentConfig c;
  c.name = "shirts";
  c.model.pretrained = test::small_checkpoint(dir);  // small_cnn: 3 blocks
  c.target.classes = {0, 1};
  return c;
}

json depth_axis(json values) { return {{"field", "frozen_depth"}, {"values", values}}; }

struct BadSpec {
  const char* what;
  json spec;
  std::string message_start;  ///< the field it names, and what it says
};

TEST(SweepSpec, EachBadSectionNamesItsField) {
  const std::vector<BadSpec> cases = {
      {"not an object", json::array(), "sweep: expected an object"},
      {"unknown key", {{"axes", {depth_axis({0})}}, {"sedes", 2}}, "sweep.sedes: unknown field"},
      {"no axes", json::object(), "sweep.axes: expected a non-empty array of axes"},
      {"empty axes", {{"axes", json::array()}}, "sweep.axes: expected a non-empty array of axes"},
      {"unknown key in an axis",
       {{"axes", {depth_axis({0}), {{"field", "strategy"}, {"values", {"full_fine_tuning"}}, {"value", 1}}}}},
       "sweep.axes[1].value: unknown field"},
      {"axis without field", {{"axes", {{{"values", {1}}}}}}, "sweep.axes[0].field: expected a short form"},
      {"empty values", {{"axes", {depth_axis({0}), depth_axis(json::array())}}},
       "sweep.axes[1].values: expected a non-empty array"},
      {"values not an array", {{"axes", {depth_axis(3)}}}, "sweep.axes[0].values: expected a non-empty array"},
      {"unknown order", {{"axes", {depth_axis({0})}}, {"order", "sobol"}}, "sweep.order: expected \"grid\""},
      {"random with budget 0", {{"axes", {depth_axis({0, 1})}}, {"order", "random"}},
       "sweep.budget: expected an integer in 1..2"},
      {"random budget beyond the combinations", {{"axes", {depth_axis({0, 1})}}, {"order", "random"}, {"budget", 3}},
       "sweep.budget: expected an integer in 1..2"},
      {"no seeds", {{"axes", {depth_axis({0})}}, {"seeds", 0}}, "sweep.seeds: expected an integer in 1..100"},
  };
  for (const auto& c : cases) {
    const std::string message = test::config_error_of([&] { sweep_spec_from_json(c.spec); });
    EXPECT_EQ(message.rfind(c.message_start, 0), 0u) << c.what << ": " << message;
  }
}

TEST(SweepSpec, EachBadAxisOnTheConfigNamesItsField) {
  const test::TestDir dir;
  const ExperimentConfig base = base_config(dir);
  const std::vector<BadSpec> cases = {
      {"unknown short form", {{"axes", {{{"field", "depth"}, {"values", {1}}}}}}, "sweep.axes[0].field: unknown field"},
      {"unknown section", {{"axes", {{{"field", "trainng.epochs"}, {"values", {1}}}}}},
       "sweep.axes[0].field: unknown field \"trainng.epochs\""},
      {"unknown dotted field", {{"axes", {depth_axis({0}), {{"field", "training.epoch"}, {"values", {1}}}}}},
       "sweep.axes[1].field: training.epoch: unknown field"},
      {"depth beyond the model's blocks", {{"axes", {depth_axis({0, 4})}}},
       "sweep.axes[0].values[1]: expected a frozen depth in 0..3 (the model's blocks), got 4"},
      {"negative depth", {{"axes", {depth_axis({-1})}}}, "sweep.axes[0].values[0]: expected a frozen depth"},
      {"unknown strategy", {{"axes", {{{"field", "strategy"}, {"values", {"full_fine_tuning", "thaw"}}}}}},
       "sweep.axes[0].values[1]: transfer.strategy"},
      {"bad dotted value", {{"axes", {{{"field", "training.batch_size"}, {"values", {8, 0}}}}}},
       "sweep.axes[0].values[1]: training.batch_size: expected an integer in 1..65536"},
      {"switch not a boolean", {{"axes", {{{"field", "l2sp"}, {"values", {"yes"}}}}}},
       "sweep.axes[0].values[0]: expected true or false"},
  };
  for (const auto& c : cases) {
    const std::string message = test::config_error_of([&] { sweep_trials(base, sweep_spec_from_json(c.spec)); });
    EXPECT_EQ(message.rfind(c.message_start, 0), 0u) << c.what << ": " << message;
  }
}

TEST(SweepSpec, RoundTripsThroughJson) {
  const SweepSpec spec = sweep_spec_from_json(
      {{"axes", {depth_axis({0, 1}), {{"field", "learning_rate"}, {"values", {0.01, 0.1}}}}},
       {"order", "random"},
       {"budget", 3},
       {"seeds", 2},
       {"order_seed", 7}});
  EXPECT_EQ(spec.order, SweepOrder::Random);
  EXPECT_EQ(spec.budget, 3);
  EXPECT_EQ(spec.seeds, 2);
  EXPECT_EQ(spec.order_seed, 7u);
  EXPECT_EQ(sweep_spec_from_json(sweep_spec_to_json(spec)), spec);
}

TEST(SweepSpec, ShuffledOrderIsAFixedPermutation) {
  const std::vector<int64_t> order = shuffled_order(12, 1);
  EXPECT_EQ(order, shuffled_order(12, 1));
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_NE(order, sorted) << "shuffled";
  EXPECT_NE(order, shuffled_order(12, 2));
  // The engine's raw draws fix the order on every standard library: this is
  // the order a sweep of 12 combinations with order_seed 1 runs in.
  EXPECT_EQ(order, shuffled_order(12, 1));
}

TEST(SweepTrials, AGridRunsEveryCombinationOnceWithItsValuesApplied) {
  const test::TestDir dir;
  const ExperimentConfig base = base_config(dir);
  const SweepSpec spec = sweep_spec_from_json(
      {{"axes", {depth_axis({0, 1, 2, 3}), {{"field", "learning_rate"}, {"values", {0.01, 0.1}}}}}});
  const std::vector<SweepTrial> trials = sweep_trials(base, spec);
  ASSERT_EQ(trials.size(), 8u);
  std::set<std::string> seen;
  for (size_t i = 0; i < trials.size(); ++i) {
    const SweepTrial& t = trials[i];
    EXPECT_EQ(t.index, static_cast<int>(i));
    seen.insert(t.values.dump());
    const int depth = t.values["frozen_depth"].get<int>();
    const double lr = t.values["learning_rate"].get<double>();
    EXPECT_EQ(t.config.training.learning_rate, lr);
    const Strategy expected = depth == 0   ? Strategy::FullFineTuning
                              : depth == 3 ? Strategy::FeatureExtraction
                                           : Strategy::PartialFineTuning;
    EXPECT_EQ(t.config.transfer.strategy, expected) << t.values;
    if (expected == Strategy::PartialFineTuning) EXPECT_EQ(t.config.transfer.options.top_blocks, 3 - depth);
    EXPECT_EQ(t.config.name, "shirts · depth=" + std::to_string(depth) + " · lr=" + t.values["learning_rate"].dump());
  }
  EXPECT_EQ(seen.size(), 8u);
  // Deterministic, and not in the grid's own order.
  const std::vector<SweepTrial> again = sweep_trials(base, spec);
  for (size_t i = 0; i < trials.size(); ++i) EXPECT_EQ(again[i].values, trials[i].values);
  bool shuffled = false;
  for (size_t i = 0; i < trials.size(); ++i) {
    shuffled = shuffled || trials[i].values != json{{"frozen_depth", static_cast<int>(i / 2)},
                                                    {"learning_rate", i % 2 ? 0.1 : 0.01}};
  }
  EXPECT_TRUE(shuffled);
}

TEST(SweepTrials, RandomOrderDrawsItsBudgetWithoutRepeats) {
  const test::TestDir dir;
  const ExperimentConfig base = base_config(dir);
  const SweepSpec spec = sweep_spec_from_json({{"axes",
                                                {depth_axis({0, 1, 2, 3}),
                                                 {{"field", "labels_per_class"}, {"values", {5, 10, 20}}},
                                                 {{"field", "training.batch_size"}, {"values", {8, 16}}}}},
                                               {"order", "random"},
                                               {"budget", 10}});
  const std::vector<SweepTrial> trials = sweep_trials(base, spec);
  ASSERT_EQ(trials.size(), 10u);
  std::set<std::string> seen;
  for (const auto& t : trials) {
    seen.insert(t.values.dump());
    EXPECT_EQ(t.config.target.shots_per_class, t.values["labels_per_class"].get<int64_t>());
    EXPECT_EQ(t.config.training.batch_size, t.values["training.batch_size"].get<int64_t>());
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(SweepTrials, MitigationSwitchesAndStrategiesApply) {
  const test::TestDir dir;
  const ExperimentConfig base = base_config(dir);
  const SweepSpec spec = sweep_spec_from_json({{"axes",
                                                {{{"field", "l2sp"}, {"values", {true, false}}},
                                                 {{"field", "strategy"}, {"values", {"feature_extraction"}}}}}});
  for (const auto& t : sweep_trials(base, spec)) {
    EXPECT_EQ(t.config.mitigations.l2sp, t.values["l2sp"].get<bool>());
    EXPECT_EQ(t.config.transfer.strategy, Strategy::FeatureExtraction);
  }
}

TEST(SweepSpec, AConfigWithoutASweepSectionIsAnErrorNamingIt) {
  EXPECT_EQ(test::config_error_of([] { sweep_spec_of(ExperimentConfig{}); }).rfind("sweep: expected a \"sweep\"", 0),
            0u);
}

}  // namespace
}  // namespace tl
