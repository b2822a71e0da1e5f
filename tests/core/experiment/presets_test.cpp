#include "support/config_error.h"
#include "support/test_dir.h"
#include "experiment/experiment.h"
#include "experiment/presets.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace tl {
namespace {

using test::config_error_of;

std::map<std::string, Preset> presets_by_id() {
  std::vector<std::string> errors;
  std::map<std::string, Preset> by_id;
  for (auto& p : builtin_presets(&errors)) by_id.emplace(p.id, std::move(p));
  EXPECT_TRUE(errors.empty()) << errors.front();
  return by_id;
}

// Every preset file states the verdict its lesson teaches, as its own runs
// measured it over seeds 1-3 (tests/bench/presets.py re-measures them).
TEST(Presets, EveryPresetCarriesALessonAndItsMeasuredVerdict) {
  const std::map<std::string, std::string> verdicts = {{"default", "positive"},
                                                       {"high-similarity", "positive"},
                                                       {"moderate-similarity", "inconclusive"},
                                                       {"low-similarity-negative", "negative"},
                                                       {"low-similarity-progressive", "inconclusive"},
                                                       {"unlabelled-target-dann", "positive"},
                                                       {"how-deep-to-freeze", "inconclusive"}};
  const auto presets = presets_by_id();
  EXPECT_EQ(presets.size(), verdicts.size());
  for (const auto& [id, p] : presets) {
    SCOPED_TRACE(id);
    ASSERT_EQ(verdicts.count(id), 1u) << "a new preset needs its measured verdict here";
    EXPECT_FALSE(p.lesson.empty());
    EXPECT_FALSE(p.config.description.empty());
    ASSERT_TRUE(p.expected.has_value());
    EXPECT_GE(p.expected->seeds, 3);
    EXPECT_GT(p.expected->seconds_per_seed, 0.0);
    EXPECT_LT(p.expected->seconds_per_seed, 180.0);  // a class cannot wait longer
    EXPECT_EQ(verdict_label_name(p.expected->verdict), verdicts.at(id));
  }
}

// The guided lessons: a few short steps, one question before the run whose
// answers predict a verdict, a reveal after it, and a pointer at the
// Analysis tab (but for the progressive network, whose run exports no model
// to analyse, and the sweep lesson, which points at its Sweep tab instead).
TEST(Presets, TheGuidedLessonsAskBeforeTheRunAndRevealAfterIt) {
  const auto presets = presets_by_id();
  for (const auto& [id, preset] : presets) {
    SCOPED_TRACE(id);
    const Lesson& lesson = preset.lesson;
    EXPECT_GE(lesson.steps.size(), 4u);
    EXPECT_LE(lesson.steps.size(), 7u);
    size_t questions = 0, reveals = 0, analysis = 0, sweep = 0;
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
      const LessonStep& step = lesson.steps[i];
      if (step.question) {
        ++questions;
        std::set<VerdictLabel> predicted;
        for (const auto& choice : step.question->choices) predicted.insert(choice.verdict);
        EXPECT_EQ(predicted.size(), 3u) << "yes, no and can't tell each predict a verdict";
      }
      if (!step.reveal.empty()) {
        ++reveals;
        EXPECT_TRUE(lesson.question_step_for(i).has_value()) << "the reveal comes after the question";
      }
      if (step.target == "analysis_tab") ++analysis;
      if (step.target == "sweep_tab") ++sweep;
    }
    EXPECT_EQ(questions, 1u);
    EXPECT_EQ(reveals, 1u);
    const bool sweeps = preset.config.extra.contains("sweep");
    EXPECT_EQ(analysis, id == "low-similarity-progressive" || sweeps ? 0u : 1u);
    EXPECT_EQ(sweep, sweeps ? 1u : 0u);
  }
}

// The default preset is the tour of the window, on the high-similarity experiment.
TEST(Presets, TheTourRunsTheHighSimilarityExperimentWithItsMeasuredOutcome) {
  const auto presets = presets_by_id();
  const Preset& tour = presets.at("default");
  const Preset& high = presets.at("high-similarity");
  nlohmann::json tourConfig = config_to_json(tour.config), highConfig = config_to_json(high.config);
  for (const char* key : {"name", "description", "order", "steps", "lesson"}) {
    tourConfig.erase(key);
    highConfig.erase(key);
  }
  EXPECT_EQ(tourConfig, highConfig);
  ASSERT_TRUE(tour.expected && high.expected);
  EXPECT_EQ(tour.expected->sentence(), high.expected->sentence());
}

TEST(Presets, EveryPresetPreparesItsModelAndPlan) {
  for (const auto& [id, p] : presets_by_id()) {
    SCOPED_TRACE(id);
    const PreparedModel m = prepare_model(p.config);
    EXPECT_TRUE(m.pretrained.has_value());
    int64_t trainable = 0;
    for (const auto& param : m.model->parameters()) trainable += param.requires_grad() ? 1 : 0;
    EXPECT_GT(trainable, 0);
  }
}

TEST(Presets, TheUnlabelledTargetPresetTrainsWithoutTargetLabelsAgainstASourceOnlyTwin) {
  const Preset p = presets_by_id().at("unlabelled-target-dann");
  EXPECT_FALSE(p.config.target.labelled);
  EXPECT_TRUE(p.config.mitigations.dann);
  EXPECT_EQ(p.expected->baseline, "source-only twin");
}

TEST(Presets, MenuOrderFollowsTheOrderField) {
  const auto presets = builtin_presets();
  ASSERT_GE(presets.size(), 2u);
  for (size_t i = 1; i < presets.size(); ++i) {
    if (presets[i].order) EXPECT_LE(presets[i - 1].order.value(), presets[i].order.value());
  }
  EXPECT_EQ(presets.front().id, "default") << "the window's own tour comes first (order 0)";
}

std::string write_preset(const test::TestDir& dir, const std::string& text) {
  test::write_file(dir.path("bad.json"), text);
  return dir.path("bad.json");
}

TEST(Presets, AnOutcomeMeasuredOverOneSeedLoadsAsASingleSeedVerdict) {
  const test::TestDir dir;
  const std::string one = write_preset(dir, R"({"expected": {"verdict": "positive", "transfer_accuracy": 0.8,
    "baseline_accuracy": 0.75, "gap": 5.0, "seeds": 1}})");
  const Preset p = load_preset(one);
  ASSERT_TRUE(p.expected.has_value());
  EXPECT_EQ(p.expected->verdict, VerdictLabel::SingleSeed);
  EXPECT_DOUBLE_EQ(p.expected->gap, 5.0);
  EXPECT_EQ(p.expected->sentence(), "single seed: transfer 80.0% vs scratch twin 75.0%, +5.0 points over 1 seed");
  const std::string three = write_preset(dir, R"({"expected": {"verdict": "positive", "gap": 5.0, "seeds": 3}})");
  EXPECT_EQ(load_preset(three).expected->verdict, VerdictLabel::Positive);
}

TEST(Presets, AMalformedPresetNamesItsFileAndField) {
  const test::TestDir dir;
  const std::string path = write_preset(dir, R"({"name": "x", "expected": {"verdict": "great", "seeds": 3}})");
  EXPECT_EQ(config_error_of([&] { load_preset(path); }),
            path + ": expected.verdict: expected \"positive\", \"negative\", \"inconclusive\" or \"single_seed\", "
                   "got \"great\"");
  const std::string broken = write_preset(dir, R"({"name": )");
  EXPECT_EQ(config_error_of([&] { load_preset(broken); }).rfind(broken + ": not valid JSON", 0), 0u);
  const std::string lesson = write_preset(dir, R"({"lesson": 3})");
  EXPECT_EQ(config_error_of([&] { load_preset(lesson); }), lesson + ": lesson: expected a string");
}

TEST(Presets, ASweepPresetCarriesItsMeasuredTrials) {
  const test::TestDir dir;
  const std::string good = write_preset(dir, R"({"expected": {"verdict": "inconclusive", "seeds": 3, "sweep": [
      {"values": {"frozen_depth": 2}, "accuracy": 0.7, "std": 0.01, "twin_accuracy": 0.6}]}})");
  const auto trials = load_preset(good).expected->sweep;
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].values, nlohmann::json({{"frozen_depth", 2}}));
  EXPECT_DOUBLE_EQ(trials[0].accuracy, 0.7);
  EXPECT_DOUBLE_EQ(trials[0].twin_accuracy, 0.6);
  const std::string bad = write_preset(dir, R"({"expected": {"verdict": "inconclusive", "sweep": [{"acc": 0.7}]}})");
  EXPECT_EQ(config_error_of([&] { load_preset(bad); }).rfind(bad + ": expected.sweep[0].acc: unknown field", 0), 0u);
}

TEST(Presets, ABadLessonStepIsNamedWithItsFile) {
  const test::TestDir dir;
  const std::string path = write_preset(dir, R"({"steps": [{"text": "Look.", "colour": "red"}]})");
  EXPECT_EQ(config_error_of([&] { load_preset(path); }).rfind(path + ": steps[0].colour: unknown field", 0), 0u);
}

}  // namespace
}  // namespace tl
