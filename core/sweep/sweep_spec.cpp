#include "sweep/sweep_spec.h"

#include "sweep/sweep_table.h"

#include "experiment/json_fields.h"
#include "weights/checkpoint.h"
#include "weights/pretrained_catalog.h"
#include "models/model_zoo.h"

#include <random>
#include <set>

namespace tl {
namespace {

using json = nlohmann::json;

// A grid beyond this is a typo, not a plan: each trial trains `seeds` jobs.
constexpr int64_t kMaxCombinations = 10000;

const std::set<std::string>& short_forms() {
  static const std::set<std::string> forms = {"frozen_depth", "strategy", "learning_rate", "labels_per_class",
                                              "schedule",     "l2sp",     "dann",          "multitask",
                                              "progressive"};
  return forms;
}

bool is_mitigation_switch(const std::string& field) {
  return field == "l2sp" || field == "dann" || field == "multitask" || field == "progressive";
}

std::vector<std::string> split_dotted(const std::string& field) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = field.find('.', start);
    parts.push_back(field.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

/// The config JSON with `value` at the dotted `path` (objects created on the way).
void set_dotted(json& j, const std::string& path, const json& value) {
  json* at = &j;
  for (const auto& part : split_dotted(path)) {
    if (!at->is_object()) *at = json::object();
    at = &(*at)[part];
  }
  *at = value;
}

bool has_dotted(const json& j, const std::string& path) {
  const json* at = &j;
  for (const auto& part : split_dotted(path)) {
    if (!at->is_object() || !at->contains(part)) return false;
    at = &(*at)[part];
  }
  return true;
}

/// The sections config_from_json reads (not "extra"): a dotted field must start with one.
bool is_config_section(const ExperimentConfig& base, const json& base_json, const std::string& key) {
  return base_json.contains(key) && !base.extra.contains(key);
}

json frozen_depth_change(const json& value, int64_t blocks) {
  if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > blocks) {
    throw std::invalid_argument("expected a frozen depth in 0.." + std::to_string(blocks) +
                                " (the model's blocks), got " + value.dump());
  }
  const int64_t depth = value.get<int64_t>();
  if (depth == 0) return {{"strategy", "full_fine_tuning"}};
  if (depth == blocks) return {{"strategy", "feature_extraction"}};
  return {{"strategy", "partial_fine_tuning"}, {"top_blocks", blocks - depth}};
}

/// The JSON `config` becomes with one axis value.
json applied_json(const ExperimentConfig& config, const std::string& field, const json& value, int64_t blocks) {
  json j = config_to_json(config);
  j.erase("sweep");
  if (field == "frozen_depth") {
    const json change = frozen_depth_change(value, blocks);
    for (const auto& item : change.items()) j["transfer"][item.key()] = item.value();
  } else if (field == "strategy") {
    j["transfer"]["strategy"] = value;
  } else if (field == "learning_rate") {
    j["training"]["learning_rate"] = value;
  } else if (field == "labels_per_class") {
    j["target"]["shots_per_class"] = value;
  } else if (field == "schedule") {
    j["transfer"]["schedule"] = value;
  } else if (is_mitigation_switch(field)) {
    if (!value.is_boolean()) throw std::invalid_argument("expected true or false, got " + value.dump());
    j["mitigations"][field]["enabled"] = value;
  } else {
    set_dotted(j, field, value);
  }
  return j;
}

std::string indexed(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

SweepAxis parse_axis(const json& j, const std::string& path) {
  JsonFields f(j, path);
  SweepAxis axis;
  axis.field = f.string("field", "");
  if (axis.field.empty()) f.fail("field", "a short form or a dotted config field");
  if (!f.has("values") || !j["values"].is_array() || j["values"].empty()) f.fail("values", "a non-empty array");
  f.accept("values");
  for (const auto& v : j["values"]) axis.values.push_back(v);
  f.finish();
  return axis;
}

/// The check of an axis' field that its values cannot make: a dotted field
/// must lie in a config section, and a field config_from_json does not know
/// fails for any value, so the first value's error is the field's.
void check_field(const ExperimentConfig& base, const SweepAxis& axis, const std::string& path, int64_t blocks) {
  if (short_forms().count(axis.field)) return;
  const json base_json = config_to_json(base);
  const std::string section = split_dotted(axis.field).front();
  if (axis.field.find('.') == std::string::npos || !is_config_section(base, base_json, section)) {
    throw ConfigError(path + ".field", "unknown field \"" + axis.field +
                                           "\": expected a short form (frozen_depth, strategy, learning_rate, "
                                           "labels_per_class, schedule, l2sp, dann, multitask, progressive) or a "
                                           "dotted config field such as training.batch_size");
  }
  if (has_dotted(base_json, axis.field)) return;  // a field the config writes: only its values can be wrong
  // Not written (e.g. a layer edit under transfer.layers): the parser says
  // whether it knows the field.
  try {
    config_from_json(applied_json(base, axis.field, axis.values.front(), blocks));
  } catch (const ConfigError& e) {
    throw ConfigError(path + ".field", e.what());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(path + ".field", e.what());
  }
}

}  // namespace

std::string sweep_order_name(SweepOrder order) { return order == SweepOrder::Random ? "random" : "grid"; }

bool SweepSpec::operator==(const SweepSpec& o) const { return sweep_spec_to_json(*this) == sweep_spec_to_json(o); }

SweepSpec sweep_spec_from_json(const json& j) {
  JsonFields f(j, "sweep");
  SweepSpec spec;
  if (!f.has("axes") || !j["axes"].is_array() || j["axes"].empty()) f.fail("axes", "a non-empty array of axes");
  f.accept("axes");
  for (size_t i = 0; i < j["axes"].size(); ++i) spec.axes.push_back(parse_axis(j["axes"][i], indexed("sweep.axes", i)));
  const std::string order = f.string("order", "grid");
  if (order != "grid" && order != "random") f.fail("order", "\"grid\" or \"random\"");
  spec.order = order == "random" ? SweepOrder::Random : SweepOrder::Grid;
  spec.budget = f.integer("budget", spec.budget, 0);
  spec.seeds = f.integer("seeds", spec.seeds, 1, 100);
  spec.order_seed = static_cast<uint64_t>(f.integer("order_seed", static_cast<int64_t>(spec.order_seed), 0));
  f.finish();
  const int64_t combinations = sweep_combinations(spec);
  if (combinations > kMaxCombinations) {
    throw ConfigError("sweep.axes", std::to_string(combinations) + " combinations, at most " +
                                        std::to_string(kMaxCombinations));
  }
  if (spec.order == SweepOrder::Random && (spec.budget < 1 || spec.budget > combinations)) {
    f.fail("budget", "an integer in 1.." + std::to_string(combinations) + " (the combinations) for random order");
  }
  return spec;
}

json sweep_spec_to_json(const SweepSpec& spec) {
  json axes = json::array();
  for (const auto& a : spec.axes) axes.push_back({{"field", a.field}, {"values", a.values}});
  return {{"axes", axes},
          {"order", sweep_order_name(spec.order)},
          {"budget", spec.budget},
          {"seeds", spec.seeds},
          {"order_seed", spec.order_seed}};
}

SweepSpec sweep_spec_of(const ExperimentConfig& config) {
  if (!config.extra.contains("sweep")) {
    throw ConfigError("sweep", "expected a \"sweep\" section with the axes to sweep, e.g. {\"axes\": [{\"field\": "
                               "\"frozen_depth\", \"values\": [0, 1, 2, 3]}]}");
  }
  return sweep_spec_from_json(config.extra["sweep"]);
}

int64_t sweep_combinations(const SweepSpec& spec) {
  int64_t n = 1;
  for (const auto& a : spec.axes) {
    n *= static_cast<int64_t>(a.values.size());
    if (n > kMaxCombinations) return n;  // no overflow on absurd grids
  }
  return n;
}

int64_t model_block_count(const ExperimentConfig& config) {
  if (!config.model.pretrained.empty()) {
    return model_from_checkpoint(load_checkpoint(resolve_checkpoint(config.model.pretrained)))->num_blocks();
  }
  const std::string& arch = config.model.architecture;
  return make_model(arch, 10, describe_architecture(arch).input)->num_blocks();
}

ExperimentConfig apply_sweep_value(const ExperimentConfig& config, const std::string& field, const json& value,
                                   int64_t blocks, const std::string& field_name) {
  try {
    ExperimentConfig applied = config_from_json(applied_json(config, field, value, blocks));
    applied.extra = config.extra;
    return applied;
  } catch (const ConfigError& e) {
    throw ConfigError(field_name, e.what());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(field_name, e.what());
  }
}

std::vector<int64_t> shuffled_order(int64_t count, uint64_t order_seed) {
  std::vector<int64_t> order(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(order_seed);
  // Fisher–Yates with the engine's raw output: std::shuffle and the
  // distributions differ between standard libraries, mt19937_64 does not.
  for (int64_t i = count - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

std::vector<SweepTrial> sweep_trials(const ExperimentConfig& base, const SweepSpec& spec) {
  bool needs_blocks = false;
  for (const auto& a : spec.axes) needs_blocks = needs_blocks || a.field == "frozen_depth";
  const int64_t blocks = needs_blocks ? model_block_count(base) : 0;
  for (size_t i = 0; i < spec.axes.size(); ++i) {
    const SweepAxis& axis = spec.axes[i];
    const std::string path = indexed("sweep.axes", i);
    check_field(base, axis, path, blocks);
    for (size_t k = 0; k < axis.values.size(); ++k) {
      apply_sweep_value(base, axis.field, axis.values[k], blocks, indexed(path + ".values", k));
    }
  }
  std::vector<int64_t> order = shuffled_order(sweep_combinations(spec), spec.order_seed);
  if (spec.order == SweepOrder::Random) order.resize(static_cast<size_t>(spec.budget));
  std::vector<SweepTrial> trials;
  for (const int64_t combination : order) {
    SweepTrial trial;
    trial.index = static_cast<int>(trials.size());
    trial.values = json::object();
    trial.config = base;
    // Mixed radix, the last axis fastest: combination c picks one value per axis.
    int64_t rest = combination;
    std::vector<size_t> picks(spec.axes.size());
    for (size_t i = spec.axes.size(); i-- > 0;) {
      const auto n = static_cast<int64_t>(spec.axes[i].values.size());
      picks[i] = static_cast<size_t>(rest % n);
      rest /= n;
    }
    std::vector<std::string> fields;
    for (size_t i = 0; i < spec.axes.size(); ++i) {
      const SweepAxis& axis = spec.axes[i];
      const json& value = axis.values[picks[i]];
      trial.values[axis.field] = value;
      trial.config = apply_sweep_value(trial.config, axis.field, value, blocks,
                                       indexed(indexed("sweep.axes", i) + ".values", picks[i]));
      fields.push_back(axis.field);
    }
    trial.config.name = base.name + " · " + trial_label(trial.values, fields);
    trials.push_back(std::move(trial));
  }
  return trials;
}

}  // namespace tl
