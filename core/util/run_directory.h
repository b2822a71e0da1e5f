#pragma once

#include <string>

namespace tl {

/// A directory name for a new run under `runs_dir`:
/// "<runs_dir>/<name>-<yyyyMMdd-HHmmss>" in local time, with the name's
/// characters outside [A-Za-z0-9_.-] replaced by '_' ("run" when none is
/// left), and "-2", "-3", … appended when that path exists already (two runs
/// started within a second). The directory is not created.
std::string new_run_directory(const std::string& runs_dir, const std::string& name);

}  // namespace tl
