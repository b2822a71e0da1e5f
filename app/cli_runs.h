#pragma once

#include <string>

namespace tl {
struct RunRecord;
struct Comparison;
}  // namespace tl

namespace tl::cli {

/// Adds a finished `run` (its record already written to `dir`) to the run
/// history. A history that cannot be opened or written costs one warning line
/// on stderr, never the run.
void record_cli_run(const RunRecord& record, const std::string& dir);
void record_cli_run(const Comparison& comparison, const std::string& dir);

}  // namespace tl::cli
