#include "experiment/run_resume.h"

#include "util/atomic_file.h"
#include "train/training_checkpoint.h"
#include "util/bounded_json.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace tl {

std::string run_config_path(const std::string& run_dir) { return (fs::path(run_dir) / "config.json").string(); }

void write_run_config(const ExperimentConfig& config, const std::string& run_dir) {
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (ec) throw std::runtime_error(run_dir + ": cannot create the run directory (" + ec.message() + ")");
  write_file_atomically(run_config_path(run_dir), config_to_json(config).dump(2) + "\n");
}

ExperimentConfig read_run_config(const std::string& run_dir) {
  const std::string path = run_config_path(run_dir);
  if (!fs::exists(path)) {
    throw std::runtime_error(path + ": not found; only runs started with a run directory can be resumed");
  }
  return load_config(path);
}

bool run_can_resume(const std::string& run_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(training_checkpoint_path(run_dir), ec) || !fs::is_regular_file(run_config_path(run_dir), ec)) {
    return false;
  }
  // No record: killed before the end; an unreadable one: cut short while being written.
  const auto record = read_bounded_json_file_or_null((fs::path(run_dir) / "run.json").string());
  const auto status = record.is_object() ? record.find("status") : record.end();
  if (status == record.end() || !status->is_string()) return true;
  return *status != "finished" && *status != "diverged";
}

}  // namespace tl
