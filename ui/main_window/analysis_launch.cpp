#include "main_window/analysis_launch.h"

#include "analysis/feature_map_plot.h"
#include "analysis/run_folder.h"
#include "main_window/main_window.h"
#include "tasks/background_task.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace tl {
namespace {

constexpr int kPollMs = 20;

/// Calls `done` once the feature map has its hover images (or gave up on
/// them): until then its progress bar covers part of the page.
void whenImagesLoaded(AnalysisView* view, const std::function<void()>& done) {
  auto* poll = new QTimer(view);
  poll->setInterval(kPollMs);
  QObject::connect(poll, &QTimer::timeout, view, [poll, view, done] {
    if (view->featureMapPlot()->isLoadingImages()) return;
    poll->deleteLater();
    done();
  });
  poll->start();
}

}  // namespace

QString runFolderProblem(const QString& runDir) {
  if (runDir.isEmpty()) return QObject::tr("no run folder given");
  try {
    load_run_folder(runDir.toStdString());
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

bool openRunAnalysis(MainWindow& window, const QString& runDir, AnalysisView::Page page,
                     const AnalysisLaunchCallbacks& callbacks, QString* error) {
  const QString problem = runFolderProblem(runDir);
  if (!problem.isEmpty()) {
    *error = problem;
    return false;
  }
  AnalysisView* view = window.analysisView();
  // A computed analysis is done once its plot images are written beside it;
  // a stored one once it is shown.
  const bool computes = !AnalysisView::hasStoredAnalysis(runDir);
  // Owns the connections below: the first outcome ends them all.
  auto* watch = new QObject(view);
  const auto finish = [watch, done = std::make_shared<bool>(false)] {
    if (*done) return false;
    *done = true;
    watch->deleteLater();
    return true;
  };
  const auto ready = [view, callbacks, finish] {
    if (!finish()) return;
    whenImagesLoaded(view, [callbacks] {
      if (callbacks.ready) callbacks.ready();
    });
  };
  const auto failed = [callbacks, finish](const QString& reason) {
    if (finish() && callbacks.failed) callbacks.failed(reason);
  };
  if (computes) {
    QObject::connect(view, &AnalysisView::plotImagesWritten, watch, ready);
  } else {
    QObject::connect(view, &AnalysisView::analysisShown, watch, ready);
  }
  QObject::connect(view->task(), &BackgroundTask::failed, watch, failed);
  QObject::connect(view->task(), &BackgroundTask::cancelled, watch,
                   [failed] { failed(QObject::tr("the analysis was cancelled")); });
  window.showRunAnalysis(runDir);
  view->showPage(page);
  return true;
}

}  // namespace tl
