#pragma once

#include "experiment/experiment_config.h"
#include "experiment/verdict_label.h"
#include "lesson/lesson.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// One trial of a sweep preset's measured sweep ("expected.sweep"): the
/// values of its axes, its mean test accuracy over the seeds and that of the
/// twin it shares, as `transferlab-cli sweep PRESET` measured them.
struct ExpectedTrial {
  nlohmann::json values;       ///< {axis field: value}, as in sweep.json
  double accuracy = 0.0;       ///< [0, 1]
  double std = 0.0;            ///< over the seeds, [0, 1]
  double twin_accuracy = 0.0;  ///< [0, 1]
};

/// What a teaching preset's own measured runs gave ("expected" in its JSON):
/// the preset run with --seeds K --twin on the project's machines.
struct ExpectedOutcome {
  VerdictLabel verdict = VerdictLabel::Inconclusive;
  std::string baseline;           ///< "scratch twin" or "source-only twin"
  double transfer_accuracy = 0.0;  ///< mean test accuracy over the seeds, [0, 1]
  double baseline_accuracy = 0.0;  ///< the twin's, [0, 1]
  double gap = 0.0;                ///< points
  double std = 0.0;                ///< points
  int64_t seeds = 0;
  double seconds_per_seed = 0.0;   ///< transfer run and twin together, on 2 cores
  std::string measured;            ///< how and when it was measured
  /// A preset with a "sweep" section: every trial of it, one entry each.
  std::vector<ExpectedTrial> sweep;

  /// "positive: transfer 78.3% vs scratch twin 55.1%, +23.2 ± 3.0 points over 3 seeds";
  /// measured over one seed: "single seed: transfer 78.3% vs scratch twin 55.1%, +23.2 points over 1 seed".
  std::string sentence() const;
};

/// A preset file: an experiment config with a lesson for a class.
struct Preset {
  std::string id;    ///< the file name without ".json"
  std::string path;
  std::optional<int64_t> order;  ///< menu position ("order", 0 first); presets without one come last, by id
  ExperimentConfig config;
  Lesson lesson;  ///< its "steps", or its one-text "lesson" as one step; may be empty
  std::optional<ExpectedOutcome> expected;
};

/// Reads a preset. Throws ConfigError naming the file and field when the
/// config, its lesson or its "expected" section is malformed.
Preset load_preset(const std::string& path);

/// Every preset in resources/presets, in menu order. A file that fails to
/// load is left out and named in `errors` when given (never thrown: one bad
/// file must not hide the others).
std::vector<Preset> builtin_presets(std::vector<std::string>* errors = nullptr);

}  // namespace tl
