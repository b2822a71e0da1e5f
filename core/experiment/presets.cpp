#include "experiment/presets.h"

#include "experiment/json_fields.h"
#include "weights/pretrained_catalog.h"
#include "util/bounded_json.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace fs = std::filesystem;

namespace tl {
namespace {

// A file measured over one seed (written before one seed stopped making
// claims) still loads, but as what the rule says of one seed; without "seeds"
// the label stands as stated.
VerdictLabel stated_verdict(VerdictLabel stated, int64_t seeds) {
  return seeds > 0 && !seeds_allow_a_claim(seeds) ? VerdictLabel::SingleSeed : stated;
}

std::vector<ExpectedTrial> parse_expected_sweep(const nlohmann::json& j) {
  if (!j.is_array()) throw ConfigError("expected.sweep", "expected an array of trials");
  std::vector<ExpectedTrial> trials;
  for (size_t i = 0; i < j.size(); ++i) {
    JsonFields f(j[i], "expected.sweep[" + std::to_string(i) + "]");
    ExpectedTrial t;
    t.values = f.object("values");
    t.accuracy = f.number("accuracy", 0.0, 0.0, 1.0);
    t.std = f.number("std", 0.0, 0.0, 1.0);
    t.twin_accuracy = f.number("twin_accuracy", 0.0, 0.0, 1.0);
    f.finish();
    trials.push_back(std::move(t));
  }
  return trials;
}

// The extra keys a preset adds to a config; JsonFields checks their types.
ExpectedOutcome parse_expected(const nlohmann::json& j) {
  JsonFields f(j, "expected");
  ExpectedOutcome e;
  const auto verdict = verdict_label_from_name(f.string("verdict", ""));
  if (!verdict) f.fail("verdict", "\"positive\", \"negative\", \"inconclusive\" or \"single_seed\"");
  e.baseline = f.string("baseline", "scratch twin");
  e.transfer_accuracy = f.number("transfer_accuracy", 0.0, 0.0, 1.0);
  e.baseline_accuracy = f.number("baseline_accuracy", 0.0, 0.0, 1.0);
  e.gap = f.number("gap", 0.0, -100.0, 100.0);
  e.std = f.number("std", 0.0, 0.0, 100.0);
  e.seeds = f.integer("seeds", 0, 1);
  e.verdict = stated_verdict(*verdict, e.seeds);
  e.seconds_per_seed = f.number("seconds_per_seed", 0.0, 0.0, 1e6);
  e.measured = f.string("measured", "");
  if (f.has("sweep")) {
    f.accept("sweep");
    e.sweep = parse_expected_sweep(j.at("sweep"));
  }
  f.finish();
  return e;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the preset");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return parse_bounded_json(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(path + ": not valid JSON (" + e.what() + ")");
  } catch (const JsonRejected& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

bool menu_order(const Preset& a, const Preset& b) {
  const auto key = [](const Preset& p) { return p.order.value_or(std::numeric_limits<int64_t>::max()); };
  return key(a) != key(b) ? key(a) < key(b) : a.id < b.id;
}

}  // namespace

std::string ExpectedOutcome::sentence() const {
  char text[256];
  if (verdict == VerdictLabel::SingleSeed) {  // no spread to report, and nothing claimed
    std::snprintf(text, sizeof text, "%s: transfer %.1f%% vs %s %.1f%%, %+.1f points over 1 seed",
                  verdict_label_title(verdict).c_str(), 100 * transfer_accuracy, baseline.c_str(),
                  100 * baseline_accuracy, gap);
    return text;
  }
  std::snprintf(text, sizeof text, "%s: transfer %.1f%% vs %s %.1f%%, %+.1f ± %.1f points over %lld seeds",
                verdict_label_name(verdict).c_str(), 100 * transfer_accuracy, baseline.c_str(), 100 * baseline_accuracy, gap, std,
                static_cast<long long>(seeds));
  return text;
}

Preset load_preset(const std::string& path) {
  const nlohmann::json j = read_json(path);
  Preset p;
  p.path = path;
  p.id = fs::path(path).stem().string();
  try {
    p.config = config_from_json(j);
    const nlohmann::json& extra = p.config.extra;
    if (extra.contains("order") && !extra["order"].is_number_integer()) {
      throw ConfigError("order: expected an integer");
    }
    p.lesson = lesson_from_preset_keys(extra);
    if (extra.contains("order")) p.order = extra["order"].get<int64_t>();
    if (extra.contains("expected")) p.expected = parse_expected(extra["expected"]);
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
  return p;
}

std::vector<Preset> builtin_presets(std::vector<std::string>* errors) {
  std::vector<Preset> presets;
  const fs::path dir = fs::path(resource_dir()) / "presets";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    try {
      presets.push_back(load_preset(entry.path().string()));
    } catch (const ConfigError& e) {
      if (errors) errors->push_back(e.what());
    }
  }
  std::sort(presets.begin(), presets.end(), menu_order);
  return presets;
}

}  // namespace tl
