#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tl::cli {

/// Each command takes the arguments after its name and returns the exit code:
/// 0 success, 1 failure (one line on stderr saying what and where), 2 usage.
int models_command(const std::vector<std::string>& args);
int presets_command(const std::vector<std::string>& args);
int layers_command(const std::vector<std::string>& args);
int import_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int pretrain_command(const std::vector<std::string>& args);
int similarity_command(const std::vector<std::string>& args);
int probe_command(const std::vector<std::string>& args);
int runs_command(const std::vector<std::string>& args);  ///< cli_runs.cpp
int sweep_command(const std::vector<std::string>& args);  ///< cli_sweep.cpp
int predict_command(const std::vector<std::string>& args);  ///< cli_predict.cpp
int analyze_command(const std::vector<std::string>& args);  ///< cli_analyze.cpp

/// Thrown for bad command-line usage (an unknown option, a missing value);
/// main prints it with the usage text and exits 2. Bad input inside a config
/// is a ConfigError instead, and exits 1.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace tl::cli
