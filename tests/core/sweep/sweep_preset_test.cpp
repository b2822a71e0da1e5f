#include "experiment/presets.h"
#include "sweep/sweep_spec.h"
#include "sweep/sweep_table.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tl {
namespace {

// A preset with a sweep section carries the sweep its lesson quotes: one
// measured trial for every trial its sweep section makes, and nothing else.
TEST(SweepPreset, TheMeasuredSweepCoversEveryTrialOfItsSweepSection) {
  size_t sweep_presets = 0;
  for (const Preset& preset : builtin_presets()) {
    if (!preset.config.extra.contains("sweep")) continue;
    SCOPED_TRACE(preset.id);
    ++sweep_presets;
    ASSERT_TRUE(preset.expected.has_value());
    const std::vector<SweepTrial> trials = sweep_trials(preset.config, sweep_spec_of(preset.config));
    const std::vector<ExpectedTrial>& measured = preset.expected->sweep;
    ASSERT_EQ(measured.size(), trials.size());
    for (const SweepTrial& trial : trials) {
      const auto same = [&](const ExpectedTrial& e) { return e.values == trial.values; };
      EXPECT_EQ(std::count_if(measured.begin(), measured.end(), same), 1) << trial.values.dump();
    }
  }
  EXPECT_GE(sweep_presets, 1u) << "the frozen-depth lesson is a sweep preset";
}

// The lesson's shift axis reads as its members in the table, the legend and
// the CLI's rows; plain values keep their JSON text.
TEST(SweepValueText, ObjectsReadAsTheirMembersAndPlainValuesAsJson) {
  EXPECT_EQ(sweep_value_text(nlohmann::json::parse(R"({"kind": "blur", "strength": 0.3})")), "blur 0.3");
  EXPECT_EQ(sweep_value_text(nlohmann::json::parse(R"({"unfreeze": "gradual", "lr": {"shape": "cosine"}})")),
            "cosine gradual");
  EXPECT_EQ(sweep_value_text("feature_extraction"), "feature_extraction");
  EXPECT_EQ(sweep_value_text(0.01), "0.01");
  EXPECT_EQ(sweep_value_text(true), "true");
  EXPECT_EQ(sweep_value_text(nlohmann::json::array({1, 2})), "1 2");
}

}  // namespace
}  // namespace tl
