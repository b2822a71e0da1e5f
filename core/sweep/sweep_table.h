#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// One trial's outcome over its seeds.
struct TrialResult {
  int index = 0;
  nlohmann::json values;                  ///< {field: value} in axis order
  std::string status;                     ///< "finished", or the run status of the job that stopped it
  std::vector<uint64_t> seeds;
  std::vector<double> accuracy;           ///< test accuracy per seed, fractions
  std::vector<double> twin_accuracy;      ///< the shared twin's, per seed, fractions
  double mean = 0, std = 0, twin_mean = 0, twin_std = 0;  ///< fractions
  double gain = 0;                        ///< points: (mean − twin_mean) × 100
  double seconds = 0;                     ///< training time of its transfer jobs
  std::string run_dir;                    ///< the trial's run directory (config.json, run.json, model)
  std::string verdict;                    ///< verdict label against the twin ("positive", …); empty when unfinished
};

/// What a sweep produced: DIR/sweep.json (DIR/sweep.csv holds the same rows).
struct SweepTable {
  std::string name;                       ///< the base config's name
  std::vector<std::string> axes;          ///< the axes' fields, in order
  int64_t total_trials = 0;               ///< trials the sweep runs in all
  nlohmann::json spec;                    ///< sweep_spec_to_json
  nlohmann::json base_config;             ///< config_to_json of the base config (without its sweep section)
  std::vector<TrialResult> trials;        ///< finished trials, in run order

  /// The finished trial with the highest mean accuracy; null when none.
  const TrialResult* best() const;
};

nlohmann::json trial_result_to_json(const TrialResult& r);
TrialResult trial_result_from_json(const nlohmann::json& j);
nlohmann::json sweep_table_to_json(const SweepTable& t);
/// Throws std::runtime_error naming the missing or mistyped key.
SweepTable sweep_table_from_json(const nlohmann::json& j);

/// DIR/sweep.json; throws std::runtime_error naming the path.
SweepTable read_sweep(const std::string& dir);
/// Writes DIR/sweep.json and DIR/sweep.csv, each atomically.
void write_sweep(const SweepTable& t, const std::string& dir);

/// One header line then one row per trial: index, one column per axis,
/// status, mean, std, twin_mean, twin_std, gain_points, seconds, run_dir.
std::string sweep_csv(const SweepTable& t);

/// "depth=2 · lr=0.01": a trial's values in the order of `axes`, with short
/// names for the common fields (depth, lr, labels; else the field's last part).
std::string trial_label(const nlohmann::json& values, const std::vector<std::string>& axes);
/// The same in the values' own (alphabetical) order.
std::string trial_label(const nlohmann::json& values);
/// A value as a table cell: strings bare, numbers and booleans as JSON, an
/// object or array as its members' texts joined by spaces ({"kind": "blur",
/// "strength": 0.3} → "blur 0.3"), so a shift or schedule axis stays short.
std::string sweep_value_text(const nlohmann::json& value);

}  // namespace tl
