#include "analysis/run_folder.h"

#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/model_export.h"
#include "util/bounded_json.h"

#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

std::string file_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

nlohmann::json read_record(const std::string& path) {
  if (!fs::exists(path)) return nullptr;
  nlohmann::json j = read_bounded_json_file_or_null(path);
  if (!j.is_object()) throw std::runtime_error(path + ": not a run record (expected a JSON object)");
  return j;
}

void read_config(RunFolder& f) {
  const std::string config_path = file_in(f.dir, "config.json");
  if (fs::exists(config_path)) {
    f.config = load_config(config_path);
    f.config_file = "config.json";
    return;
  }
  const std::string record_path = file_in(f.dir, "run.json");
  if (!f.record.is_object() || !f.record.contains("config") || !f.record["config"].is_object()) {
    throw std::runtime_error(record_path + ": has no \"config\" and there is no config.json beside it, so the test "
                             "images cannot be rebuilt");
  }
  try {
    f.config = config_from_json(f.record["config"]);
  } catch (const std::exception& e) {
    throw std::runtime_error(record_path + ": \"config\": " + e.what());
  }
  f.config_file = "run.json";
  f.notes.push_back("config.json not found (a run from an older version): the config was read from run.json");
}

SavedModel load_saved_model(const std::string& path) {
  SavedModel m;
  m.path = path;
  const Checkpoint checkpoint = load_checkpoint(path);
  m.metadata = checkpoint.metadata;
  m.model = model_from_checkpoint(checkpoint);
  return m;
}

void read_twin(RunFolder& f) {
  const std::string twin_dir = file_in(f.dir, "twin");
  const std::string twin_record = file_in(twin_dir, "run.json");
  if (!fs::exists(twin_record)) {
    f.notes.push_back("no twin: the run was trained without one (run --twin), so there are no twin columns");
    return;
  }
  f.twin_record = read_record(twin_record);
  f.twin_name = twin_name(twin_kind(f.config));
  const std::string twin_weights = file_in(twin_dir, kExportedWeightsFile);
  if (fs::exists(twin_weights)) {
    f.twin_model = load_saved_model(twin_weights);
  } else {
    f.notes.push_back(twin_weights + " not found: the " + f.twin_name +
                      "'s confusion matrix is not computed; its per-class accuracies come from twin/run.json");
  }
}

}  // namespace

RunFolder load_run_folder(const std::string& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir + ": no such run folder");
  RunFolder f;
  f.dir = dir;
  const std::string record_path = file_in(dir, "run.json");
  if (!fs::exists(record_path) && !fs::exists(file_in(dir, "config.json"))) {
    throw std::runtime_error(dir + ": not a run folder (it has neither config.json nor run.json)");
  }
  f.record = read_record(record_path);
  read_config(f);
  const std::string weights = file_in(dir, kExportedWeightsFile);
  if (!fs::exists(weights)) {
    throw std::runtime_error(weights + ": not found; the analysis needs the trained model that a finished run leaves "
                             "beside run.json (stopped or failed runs, progressive networks and runs of versions "
                             "before model export have none)");
  }
  f.model = load_saved_model(weights);
  read_twin(f);
  return f;
}

Normalization model_normalization(const SavedModel& model) {
  const auto& m = model.metadata;
  if (m.normalization_mean.empty() || m.normalization_mean.size() != m.normalization_std.size()) {
    throw std::runtime_error(model.path + ": records no normalisation (normalization_mean / normalization_std), so "
                             "its test images cannot be prepared");
  }
  return {m.normalization_mean, m.normalization_std};
}

Dataset run_test_pixels(const RunFolder& folder) {
  const InputShape input = folder.model.model->input_shape();
  const auto channels = static_cast<size_t>(input.channels);
  const Normalization identity{std::vector<double>(channels, 0.0), std::vector<double>(channels, 1.0)};
  return build_task_data(folder.config.target, identity, "target", input).test;
}

Dataset normalised_for(const Dataset& pixels, const SavedModel& model) {
  return normalize(pixels, model_normalization(model));
}

}  // namespace tl
