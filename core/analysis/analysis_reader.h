#pragma once

#include "analysis/run_analysis.h"

#include <string>

namespace tl {

/// Reads back what analyze_run wrote to RUN_DIR/analysis/ — analysis.json,
/// predictions.csv and embedding.csv — so that a run's analysis is shown again
/// without recomputing it: the confusion matrices with every image's
/// prediction (probabilities and losses to 8 significant digits), the
/// per-class gaps, most confused pairs, top losses, both feature maps with
/// every point (coordinates exact), the notes and the options. Throws
/// std::runtime_error naming the file when one is missing, of another
/// version, or does not agree with the others (e.g. files of two analyses).
RunAnalysis read_analysis(const std::string& run_dir);

}  // namespace tl
