#pragma once

// Sweep tables for the Sweep view's tests, written as sweep.json holds them,
// and the session the dialog and runner tests start from.

#include "session/experiment_session.h"
#include "support/batch_window.h"
#include "sweep/sweep_table.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <QString>
#include <QTemporaryDir>

#include <string>

namespace tl::test {

inline QString builtinModel() {
  const auto models = builtin_models();
  return models.empty() ? QString() : QString::fromStdString(models.front().name);
}

/// The comparison tests' fast config: three new classes, five shots each, one
/// epoch; `extra` adds top-level keys (", \"sweep\": {...}").
inline QString fastSweepConfig(const QString& extra = QString()) {
  return QStringLiteral(R"({"name": "sweep test", "model": {"pretrained": "%1"},
    "target": {"classes": [5, 6, 7], "shots_per_class": 5, "test_per_class": 20, "seed": 1},
    "transfer": {"similarity": "moderate", "strategy": "partial_fine_tuning", "top_blocks": 1},
    "training": {"epochs": 1, "batch_size": 16, "learning_rate": 0.01, "seed": 1}%2})")
      .arg(builtinModel(), extra);
}

/// A session set up with fastSweepConfig and a folder for the sweeps' runs.
class SweepSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { isolateSettings(); }
  void SetUp() override {
    if (builtinModel().isEmpty()) GTEST_SKIP() << "no built-in checkpoint";
    QString error;
    ASSERT_TRUE(session.setConfigJson(fastSweepConfig(), &error)) << error.toStdString();
  }
  ExperimentSession session;
  QTemporaryDir runs;
};

/// One finished trial as sweep.json stores it: two seeds' accuracies, their mean and std.
inline nlohmann::json trialJson(int index, const nlohmann::json& values, double mean, double std, double twinMean,
                                double twinStd, double seconds = 30.0, const std::string& runDir = "") {
  return {{"index", index},
          {"values", values},
          {"status", "finished"},
          {"seeds", {1, 2}},
          {"accuracy", {mean - std, mean + std}},
          {"twin_accuracy", {twinMean - twinStd, twinMean + twinStd}},
          {"mean", mean},
          {"std", std},
          {"twin_mean", twinMean},
          {"twin_std", twinStd},
          {"gain", 100.0 * (mean - twinMean)},
          {"seconds", seconds},
          {"run_dir", runDir},
          {"verdict", mean > twinMean ? "positive" : "negative"}};
}

/// Frozen depth 0…3 on one learning rate, in the shuffled order a grid runs in.
inline SweepTable depthSweep() {
  const nlohmann::json table = {
      {"name", "depth test"},
      {"axes", {"frozen_depth"}},
      {"total_trials", 4},
      {"spec", {{"axes", {{{"field", "frozen_depth"}, {"values", {0, 1, 2, 3}}}}}, {"order", "grid"}, {"seeds", 2}}},
      {"trials",
       {trialJson(0, {{"frozen_depth", 2}}, 0.84, 0.010, 0.70, 0.02, 12),
        trialJson(1, {{"frozen_depth", 0}}, 0.78, 0.030, 0.70, 0.02, 40),
        trialJson(2, {{"frozen_depth", 3}}, 0.66, 0.005, 0.70, 0.02, 8),
        trialJson(3, {{"frozen_depth", 1}}, 0.81, 0.020, 0.70, 0.02, 25)}}};
  return sweep_table_from_json(table);
}

/// Frozen depth {0, 2} × learning rate {0.01, 0.1}, three of the four trials finished.
inline SweepTable depthByRateSweep() {
  const nlohmann::json axes = {{{"field", "frozen_depth"}, {"values", {0, 2}}},
                               {{"field", "learning_rate"}, {"values", {0.01, 0.1}}}};
  const nlohmann::json table = {
      {"name", "two axes"},
      {"axes", {"frozen_depth", "learning_rate"}},
      {"total_trials", 4},
      {"spec", {{"axes", axes}, {"order", "grid"}, {"seeds", 2}}},
      {"trials",
       {trialJson(0, {{"frozen_depth", 2}, {"learning_rate", 0.1}}, 0.75, 0.01, 0.60, 0.03),
        trialJson(1, {{"frozen_depth", 0}, {"learning_rate", 0.01}}, 0.80, 0.02, 0.65, 0.01),
        trialJson(2, {{"frozen_depth", 2}, {"learning_rate", 0.01}}, 0.85, 0.01, 0.65, 0.01)}}};
  return sweep_table_from_json(table);
}

}  // namespace tl::test
