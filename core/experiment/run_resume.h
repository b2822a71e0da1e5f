#pragma once

#include "experiment/experiment_config.h"

#include <string>

namespace tl {

/// DIR/config.json: the config a run started with, so that it can be resumed
/// from its directory alone (`transferlab-cli run --resume DIR`, the GUI).
std::string run_config_path(const std::string& run_dir);

/// Creates DIR and writes DIR/config.json atomically. Throws naming the path on I/O errors.
void write_run_config(const ExperimentConfig& config, const std::string& run_dir);

/// Reads DIR/config.json. Throws naming the path when it is missing or invalid.
ExperimentConfig read_run_config(const std::string& run_dir);

/// True when DIR holds a run that stopped before its end: a training
/// checkpoint and its config, and no run.json saying it finished or diverged.
bool run_can_resume(const std::string& run_dir);

}  // namespace tl
