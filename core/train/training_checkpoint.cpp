#include "train/training_checkpoint.h"

#include "weights/safetensors.h"
#include "util/bounded_json.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

// The metadata entry that marks a file as a training checkpoint (a model
// checkpoint uses "transferlab").
const char* const kProgressEntry = "transferlab_training";

}  // namespace

std::string training_checkpoint_path(const std::string& run_dir) {
  return (fs::path(run_dir) / "checkpoint.safetensors").string();
}

std::string run_event_log_path(const std::string& run_dir) { return (fs::path(run_dir) / "events.jsonl").string(); }

void save_training_checkpoint(const TrainingCheckpoint& checkpoint, const std::string& path) {
  SafetensorsContents contents;
  contents.tensors = checkpoint.tensors;
  contents.metadata[kProgressEntry] = checkpoint.progress.dump();
  write_safetensors(contents, path);
}

TrainingCheckpoint load_training_checkpoint(const std::string& path) {
  SafetensorsContents contents = read_safetensors(path);
  const auto it = contents.metadata.find(kProgressEntry);
  if (it == contents.metadata.end()) {
    throw std::runtime_error(path + ": not a training checkpoint (no \"__metadata__\".\"" + kProgressEntry +
                             "\" entry)");
  }
  TrainingCheckpoint checkpoint;
  try {
    checkpoint.progress = parse_bounded_json(it->second);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": the training progress is not valid JSON (" + e.what() + ")");
  } catch (const JsonRejected& e) {
    throw std::runtime_error(path + ": the training progress is refused (" + e.what() + ")");
  }
  if (!checkpoint.progress.is_object()) throw std::runtime_error(path + ": the training progress is not an object");
  checkpoint.tensors = std::move(contents.tensors);
  return checkpoint;
}

nlohmann::json freeze_plan_to_json(const FreezePlan& plan) {
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& [path, s] : plan.entries()) {
    layers[path] = {{"trainable", s.trainable}, {"lr_multiplier", s.lr_multiplier}};
  }
  return {{"layers", layers}, {"reinitialize", plan.reinitialized()}};
}

FreezePlan freeze_plan_from_json(const nlohmann::json& j) {
  FreezePlan plan;
  for (const auto& [path, s] : j.at("layers").items()) {
    plan.set(path, LayerSetting{s.at("trainable").get<bool>(), s.at("lr_multiplier").get<double>()});
  }
  for (const auto& path : j.at("reinitialize")) plan.add_reinitialized(path.get<std::string>());
  return plan;
}

bool append_run_event(const std::string& run_dir, const RunEvent& event) {
  const nlohmann::json line = {{"time", event.time},
                               {"epoch", event.epoch},
                               {"batch", event.batch},
                               {"kind", run_event_kind_name(event.kind)},
                               {"details", event.details}};
  const std::string text = line.dump() + "\n";
  FILE* file = std::fopen(run_event_log_path(run_dir).c_str(), "ab");
  if (!file) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && written;
}

std::vector<RunEvent> read_run_events(const std::string& run_dir) {
  std::vector<RunEvent> events;
  std::ifstream in(run_event_log_path(run_dir));
  std::string text;
  while (std::getline(in, text)) {
    const auto j = parse_bounded_json_or_null(text);
    if (!j.is_object()) continue;
    RunEvent e;
    try {
      e.time = j.value("time", "");
      e.epoch = j.value("epoch", 0);
      e.batch = j.value("batch", int64_t{0});
      e.details = j.value("details", "");
      const auto kind = run_event_kind_from_name(j.value("kind", ""));
      if (!kind) continue;  // a kind this version does not know
      e.kind = *kind;
    } catch (const nlohmann::json::exception&) {
      continue;  // a field of the wrong type: a line edited by hand
    }
    events.push_back(e);
  }
  return events;
}

}  // namespace tl
