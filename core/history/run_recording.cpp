#include "history/run_recording.h"

#include "experiment/experiment_config.h"
#include "util/bounded_json.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace tl {
namespace {

/// Model and strategy as the config states them (a checkpoint when one is
/// set, else the architecture); the same rule as schema migration 2 applies
/// to older rows.
void describe_config(const nlohmann::json& config, HistoryRun& run) {
  const auto text = [&](const char* section, const char* key) {
    const auto s = config.find(section);
    if (s == config.end() || !s->is_object()) return std::string();
    const auto v = s->find(key);
    return v != s->end() && v->is_string() ? v->get<std::string>() : std::string();
  };
  run.name = config.is_object() ? config.value("name", std::string("run")) : "run";
  run.model = text("model", "pretrained");
  if (run.model.empty()) run.model = text("model", "architecture");
  run.strategy = text("transfer", "strategy");
}

}  // namespace

HistoryRun history_run_from(const RunRecord& record, const std::string& output_dir, const std::string& origin) {
  HistoryRun run;
  run.origin = origin;
  run.config = record.config;
  describe_config(record.config, run);
  run.status = run_status_name(record.status);
  run.message = record.message;
  if (!record.epochs.empty()) run.val_accuracy = record.val_accuracy;
  // make_run_record evaluates only a run that did not fail; a stopped GUI run is not evaluated at all.
  if (record.status == RunStatus::Finished) run.test_accuracy = record.test_accuracy;
  if (const auto v = record.sections.find("verdict"); v != record.sections.end() && v->is_object()) {
    run.verdict = v->value("label", std::string());
    run.verdict_detail = *v;
  }
  run.seconds = record.seconds;
  std::error_code ec;
  const fs::path absolute = fs::absolute(output_dir, ec);
  run.output_dir = ec ? output_dir : absolute.lexically_normal().string();
  run.model_file = produced_model_file(run.output_dir);
  run.epochs = record.epochs;
  return run;
}

HistoryRun history_run_from(const Comparison& comparison, const std::string& output_dir, const std::string& origin) {
  if (comparison.runs.empty()) throw std::invalid_argument("history_run_from: the comparison has no runs");
  RunRecord first = comparison.runs.front().transfer;
  first.sections = comparison.sections();
  HistoryRun run = history_run_from(first, output_dir, origin);
  const nlohmann::json& sections = first.sections;
  if (const auto t = sections.find("transfer"); t != sections.end() && t->contains("test_accuracy")) {
    const auto& accuracy = (*t)["test_accuracy"];
    if (accuracy.is_object() && accuracy.contains("mean") && accuracy["mean"].is_number()) {
      run.test_accuracy = accuracy["mean"].get<double>();
    }
  }
  run.seconds = 0.0;
  for (const SeedRuns& s : comparison.runs) {
    run.seconds += s.transfer.seconds + (s.baseline ? s.baseline->seconds : 0.0);
  }
  // A comparison that stopped early ends on the run that did not finish.
  const SeedRuns& last = comparison.runs.back();
  for (const RunRecord* r : {&last.transfer, last.baseline ? &*last.baseline : nullptr}) {
    if (r && r->status != RunStatus::Finished) {
      run.status = run_status_name(r->status);
      run.message = r->message;
      break;
    }
  }
  return run;
}

RunRepetition recorded_repetition(const std::string& output_dir) {
  const nlohmann::json record = read_bounded_json_file_or_null((fs::path(output_dir) / "run.json").string());
  RunRepetition repetition;
  if (!record.is_object()) return repetition;
  const auto seeds = record.find("per_seed");
  if (seeds == record.end() || !seeds->is_array() || seeds->empty()) return repetition;
  repetition.seeds = static_cast<int>(seeds->size());
  for (const auto& row : *seeds) repetition.twin = repetition.twin || (row.is_object() && row.contains("baseline"));
  return repetition;
}

std::string produced_model_file(const std::string& output_dir) {
  std::error_code ec;
  const fs::path dir(output_dir);
  if (fs::is_regular_file(dir / "model.safetensors", ec)) return (dir / "model.safetensors").string();
  fs::path newest;
  fs::file_time_type newest_time{};
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory() && (it.depth() >= 1 || it->path().filename() == "twin")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".safetensors") continue;
    const auto time = it->last_write_time(ec);
    if (!ec && (newest.empty() || time > newest_time)) {
      newest = it->path();
      newest_time = time;
    }
  }
  return newest.string();
}

std::optional<int64_t> record_in_history(const HistoryRun& run, std::string* warning, const std::string& history_path) {
  try {
    RunHistory history(history_path.empty() ? default_history_path() : history_path);
    return history.add(run);
  } catch (const std::exception& e) {
    if (warning) *warning = std::string("the run was not added to the run history: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace tl
