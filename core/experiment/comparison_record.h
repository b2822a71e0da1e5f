#pragma once

#include "experiment/baseline.h"

#include <string>

namespace tl {

/// Writes what a run with twins leaves on disk, the same for the CLI's
/// `run --twin/--seeds` and the GUI: DIR/run.json + metrics.csv are the first
/// seed's transfer run with comparison.sections() ("transfer", "baseline",
/// "verdict", "per_seed"), and the first seed's twin, when it ran, goes to
/// DIR/twin; comparison.exported_model, when present, goes to
/// DIR/model.safetensors + DIR/model.json (write_model_export), and
/// exported_twin_model to the same names in DIR/twin. Returns true when a
/// twin record was written. Throws as write_run does; throws
/// std::invalid_argument when `comparison` has no runs.
bool write_comparison(const Comparison& comparison, const std::string& dir);

}  // namespace tl
