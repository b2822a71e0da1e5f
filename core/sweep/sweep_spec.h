#pragma once

#include "experiment/experiment_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// One axis of a sweep: a config field and the values it takes.
/// `field` is a short form or any dotted config field ("training.batch_size",
/// "transfer.schedule.unfreeze_every"). Short forms:
///  - "frozen_depth": blocks frozen from the input; 0 = full_fine_tuning, all
///    blocks = feature_extraction, else partial_fine_tuning with
///    top_blocks = blocks − depth;
///  - "strategy" (a strategy name), "learning_rate" (training.learning_rate),
///    "labels_per_class" (target.shots_per_class), "schedule" (a
///    transfer.schedule object);
///  - "l2sp", "dann", "multitask", "progressive": true/false.
struct SweepAxis {
  std::string field;
  std::vector<nlohmann::json> values;
};

/// JSON "grid": every combination, in an order shuffled by order_seed so the
/// first results are representative; "random": `budget` combinations drawn
/// without repeats.
enum class SweepOrder { Grid, Random };
std::string sweep_order_name(SweepOrder order);

/// The "sweep" section of a config. It stays raw in ExperimentConfig::extra
/// ("sweep") since core/experiment cannot know this type.
struct SweepSpec {
  std::vector<SweepAxis> axes;
  SweepOrder order = SweepOrder::Grid;
  int64_t budget = 0;       ///< Random: trials drawn, 1..combinations; Grid: unused
  int64_t seeds = 3;        ///< seeds per trial: training.seed, +1, …
  uint64_t order_seed = 1;  ///< shuffles the grid, draws the random trials
  bool operator==(const SweepSpec& o) const;
};

/// Parses a "sweep" section. Throws ConfigError naming the field, e.g.
/// "sweep.axes[1].values: expected a non-empty array".
SweepSpec sweep_spec_from_json(const nlohmann::json& j);
nlohmann::json sweep_spec_to_json(const SweepSpec& spec);

/// The sweep section of `config` (its extra["sweep"]). Throws ConfigError
/// "sweep: ..." when there is none.
SweepSpec sweep_spec_of(const ExperimentConfig& config);

/// One point of a sweep.
struct SweepTrial {
  int index = 0;                ///< 0-based, in run order
  nlohmann::json values;        ///< {field: value} in axis order
  ExperimentConfig config;      ///< the base config with the values applied; name "<base> · depth=2 · lr=0.01"
};

/// Number of combinations of the axes' values.
int64_t sweep_combinations(const SweepSpec& spec);

/// Every trial of `spec` on `base`, in run order. Checks every value against
/// the config (and the model's block count for frozen_depth); throws
/// ConfigError naming the field ("sweep.axes[0].values[3]: ...").
std::vector<SweepTrial> sweep_trials(const ExperimentConfig& base, const SweepSpec& spec);

/// `config` with one axis value applied (throws ConfigError naming `field_name`
/// as the field when the value does not fit). `blocks` is the model's block
/// count, used by frozen_depth.
ExperimentConfig apply_sweep_value(const ExperimentConfig& config, const std::string& field, const nlohmann::json& value,
                                   int64_t blocks, const std::string& field_name);

/// The block count of the model `config` trains (its pretrained checkpoint's
/// architecture, else model.architecture).
int64_t model_block_count(const ExperimentConfig& config);

/// The run order of a grid of `count` combinations: a permutation of 0..count−1
/// shuffled by a Fisher–Yates walk on std::mt19937_64(order_seed), the same
/// on every standard library.
std::vector<int64_t> shuffled_order(int64_t count, uint64_t order_seed);

}  // namespace tl
