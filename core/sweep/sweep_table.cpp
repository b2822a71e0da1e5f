#include "sweep/sweep_table.h"

#include "util/atomic_file.h"
#include "util/bounded_json.h"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace tl {
namespace {

using json = nlohmann::json;

template <typename T>
T required(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::runtime_error(where + ": missing \"" + key + "\"");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(where + ": \"" + std::string(key) + "\" has the wrong type");
  }
}

std::string short_name(const std::string& field) {
  if (field == "frozen_depth") return "depth";
  if (field == "learning_rate") return "lr";
  if (field == "labels_per_class") return "labels";
  const size_t dot = field.rfind('.');
  return dot == std::string::npos ? field : field.substr(dot + 1);
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

}  // namespace

const TrialResult* SweepTable::best() const {
  const TrialResult* best = nullptr;
  for (const auto& t : trials) {
    if (t.status == "finished" && (!best || t.mean > best->mean)) best = &t;
  }
  return best;
}

json trial_result_to_json(const TrialResult& r) {
  return {{"index", r.index},         {"values", r.values},     {"status", r.status},
          {"seeds", r.seeds},         {"accuracy", r.accuracy}, {"twin_accuracy", r.twin_accuracy},
          {"mean", r.mean},           {"std", r.std},           {"twin_mean", r.twin_mean},
          {"twin_std", r.twin_std},   {"gain", r.gain},         {"seconds", r.seconds},
          {"run_dir", r.run_dir},     {"verdict", r.verdict}};
}

TrialResult trial_result_from_json(const json& j) {
  const std::string where = "sweep.json trial";
  TrialResult r;
  r.index = required<int>(j, "index", where);
  r.values = required<json>(j, "values", where);
  r.status = required<std::string>(j, "status", where);
  r.seeds = required<std::vector<uint64_t>>(j, "seeds", where);
  r.accuracy = required<std::vector<double>>(j, "accuracy", where);
  r.twin_accuracy = required<std::vector<double>>(j, "twin_accuracy", where);
  r.mean = required<double>(j, "mean", where);
  r.std = required<double>(j, "std", where);
  r.twin_mean = required<double>(j, "twin_mean", where);
  r.twin_std = required<double>(j, "twin_std", where);
  r.gain = required<double>(j, "gain", where);
  r.seconds = required<double>(j, "seconds", where);
  r.run_dir = required<std::string>(j, "run_dir", where);
  r.verdict = j.value("verdict", std::string());
  return r;
}

json sweep_table_to_json(const SweepTable& t) {
  json trials = json::array();
  for (const auto& r : t.trials) trials.push_back(trial_result_to_json(r));
  return {{"name", t.name},   {"axes", t.axes},
          {"total_trials", t.total_trials}, {"spec", t.spec},
          {"base_config", t.base_config},   {"trials", trials}};
}

SweepTable sweep_table_from_json(const json& j) {
  const std::string where = "sweep.json";
  SweepTable t;
  t.name = required<std::string>(j, "name", where);
  t.axes = required<std::vector<std::string>>(j, "axes", where);
  t.total_trials = required<int64_t>(j, "total_trials", where);
  t.spec = required<json>(j, "spec", where);
  t.base_config = j.value("base_config", json());
  for (const auto& r : required<json>(j, "trials", where)) t.trials.push_back(trial_result_from_json(r));
  return t;
}

SweepTable read_sweep(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "sweep.json").string();
  const json j = read_bounded_json_file_or_null(path);
  if (j.is_null()) throw std::runtime_error(path + ": cannot read the sweep (missing or not JSON)");
  try {
    return sweep_table_from_json(j);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void write_sweep(const SweepTable& t, const std::string& dir) {
  const std::filesystem::path d(dir);
  write_file_atomically((d / "sweep.json").string(), sweep_table_to_json(t).dump(2) + "\n");
  write_file_atomically((d / "sweep.csv").string(), sweep_csv(t));
}

std::string sweep_csv(const SweepTable& t) {
  std::ostringstream out;
  out << "trial";
  for (const auto& a : t.axes) out << "," << csv_cell(a);
  out << ",status,seeds,mean,std,twin_mean,twin_std,gain_points,seconds,run_dir\n";
  for (const auto& r : t.trials) {
    out << r.index;
    for (const auto& a : t.axes) out << "," << csv_cell(r.values.contains(a) ? sweep_value_text(r.values[a]) : "");
    out << "," << r.status << "," << r.seeds.size() << "," << number(r.mean) << "," << number(r.std) << ","
        << number(r.twin_mean) << "," << number(r.twin_std) << "," << number(r.gain) << "," << number(r.seconds)
        << "," << csv_cell(r.run_dir) << "\n";
  }
  return out.str();
}

std::string sweep_value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_structured()) return value.dump();
  std::string text;
  for (const auto& member : value) text += (text.empty() ? "" : " ") + sweep_value_text(member);
  return text;
}

std::string trial_label(const json& values, const std::vector<std::string>& axes) {
  std::string label;
  for (const auto& field : axes) {
    if (!values.contains(field)) continue;
    label += (label.empty() ? "" : " · ") + short_name(field) + "=" + sweep_value_text(values[field]);
  }
  return label;
}

std::string trial_label(const json& values) {
  std::vector<std::string> fields;
  for (const auto& item : values.items()) fields.push_back(item.key());
  return trial_label(values, fields);
}

}  // namespace tl
