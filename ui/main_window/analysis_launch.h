#pragma once

// `transferlab --analysis RUN_DIR`: the window opened on a run's analysis.

#include "analysis/analysis_view.h"

#include <QString>

#include <functional>

namespace tl {

class MainWindow;

/// Why `runDir` cannot be analysed, in core's words (no such folder, not a
/// run folder, no trained model, a damaged record); empty when it can.
QString runFolderProblem(const QString& runDir);

/// What the caller hears once the analysis is opened.
struct AnalysisLaunchCallbacks {
  /// The analysis is on screen, the feature map has its hover images and,
  /// when the window computed the analysis, its plot images are written.
  std::function<void()> ready;
  /// Reading or computing it failed or was cancelled; the reason.
  std::function<void(const QString&)> failed;
};

/// Shows the Analysis tab with `runDir`'s stored analysis, or computes it
/// when it has none (MainWindow::showRunAnalysis), on `page`. Returns false
/// with `error` set, and opens nothing, when the folder is not a run.
bool openRunAnalysis(MainWindow& window, const QString& runDir, AnalysisView::Page page,
                     const AnalysisLaunchCallbacks& callbacks, QString* error);

}  // namespace tl
