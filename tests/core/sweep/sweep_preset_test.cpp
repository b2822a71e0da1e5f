#include "experiment/presets.h"
#include "sweep/sweep_spec.h"

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

}  // namespace
}  // namespace tl
