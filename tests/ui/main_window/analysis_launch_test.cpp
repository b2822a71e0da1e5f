#include "main_window/analysis_launch.h"

#include "analysis/analysis_files.h"
#include "analysis/feature_map_plot.h"
#include "main_window/main_window.h"
#include "support/analysis_window.h"
#include "support/ui_wait.h"
#include "tasks/background_task.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTabWidget>
#include <QTemporaryDir>

namespace tl {
namespace {

/// `transferlab --analysis RUN_DIR [--analysis-page NAME]`, through the
/// function the GUI's main calls.
class AnalysisLaunchTest : public test::AnalysisWindowTest {
 protected:
  /// Opens `runDir` and waits for its outcome; true when it was opened.
  bool open(const QString& runDir, AnalysisView::Page page) {
    AnalysisLaunchCallbacks callbacks;
    callbacks.ready = [this] {
      ++readyCalls;
      imagesLoadingWhenReady = window.analysisView()->featureMapPlot()->isLoadingImages();
    };
    callbacks.failed = [this](const QString& reason) { failure = reason; };
    if (!openRunAnalysis(window, runDir, page, callbacks, &error)) return false;
    EXPECT_TRUE(test::wait_until([this] { return readyCalls > 0 || !failure.isEmpty(); }, 120000));
    return true;
  }

  QString finishedRun(const QString& name) {
    const QString dir = QDir(runs.path()).filePath(name);
    test::writeFinishedRun(dir.toStdString());
    return dir;
  }

  QString error;
  QString failure;
  int readyCalls = 0;
  bool imagesLoadingWhenReady = true;
};

TEST_F(AnalysisLaunchTest, PageNamesRoundTripAndAnUnknownNameHasNoPage) {
  using Page = AnalysisView::Page;
  EXPECT_EQ(AnalysisView::pageNames(),
            QStringList({"confusion-matrix", "class-gap", "confusions", "feature-map", "grad-cam"}));
  for (Page page : {Page::Confusion, Page::ClassGap, Page::Errors, Page::FeatureMap, Page::GradCam}) {
    EXPECT_EQ(AnalysisView::pageNamed(AnalysisView::pageName(page)), page);
  }
  EXPECT_FALSE(AnalysisView::pageNamed(QStringLiteral("confusion")).has_value());
  EXPECT_FALSE(AnalysisView::pageNamed(QString()).has_value());
}

TEST_F(AnalysisLaunchTest, AMissingFolderIsRefusedWithItsPath) {
  const QString missing = QDir(runs.path()).filePath(QStringLiteral("no-such-run"));
  EXPECT_FALSE(open(missing, AnalysisView::Page::Confusion));
  EXPECT_EQ(error, missing + QStringLiteral(": no such run folder"));
  EXPECT_TRUE(window.analysisView()->runDir().isEmpty());
  EXPECT_EQ(window.plotTabs()->currentIndex(), 0);
}

TEST_F(AnalysisLaunchTest, AFolderThatIsNotARunIsRefusedAndNothingOpens) {
  const QString dir = QDir(runs.path()).filePath(QStringLiteral("pictures"));
  ASSERT_TRUE(QDir().mkpath(dir));
  EXPECT_FALSE(open(dir, AnalysisView::Page::Confusion));
  EXPECT_EQ(error, dir + QStringLiteral(": not a run folder (it has neither config.json nor run.json)"));
  EXPECT_TRUE(window.analysisView()->runDir().isEmpty());
  EXPECT_FALSE(window.analysisView()->task()->isRunning());
}

TEST_F(AnalysisLaunchTest, ARunWithoutAnalysisIsComputedAndReadyOnceItsPlotImagesAreWritten) {
  const QString dir = finishedRun(QStringLiteral("fresh"));
  ASSERT_TRUE(open(dir, AnalysisView::Page::FeatureMap)) << error.toStdString();
  ASSERT_TRUE(failure.isEmpty()) << failure.toStdString();
  EXPECT_EQ(readyCalls, 1);
  EXPECT_FALSE(imagesLoadingWhenReady) << "a screenshot would show the hover images' progress bar";
  AnalysisView* view = window.analysisView();
  EXPECT_EQ(window.plotTabs()->currentWidget(), view);
  EXPECT_EQ(view->pages()->currentIndex(), static_cast<int>(AnalysisView::Page::FeatureMap));
  ASSERT_NE(view->analysis(), nullptr);
  const QDir analysis(QString::fromStdString(analysis_dir(dir.toStdString())));
  EXPECT_TRUE(QFileInfo::exists(analysis.filePath(QStringLiteral("analysis.json"))));
  EXPECT_TRUE(QFileInfo::exists(analysis.filePath(QStringLiteral("feature_map.png"))));
}

TEST_F(AnalysisLaunchTest, AStoredAnalysisIsReadBackOnTheChosenPage) {
  const QString dir = finishedRun(QStringLiteral("stored"));
  ASSERT_TRUE(open(dir, AnalysisView::Page::Confusion));
  ASSERT_EQ(readyCalls, 1);

  MainWindow again;
  test::makeBatchWindow(again, runs.path());
  int ready = 0;
  bool loadingWhenReady = true;
  AnalysisLaunchCallbacks callbacks;
  callbacks.ready = [&] {
    ++ready;
    loadingWhenReady = again.analysisView()->featureMapPlot()->isLoadingImages();
  };
  ASSERT_TRUE(openRunAnalysis(again, dir, AnalysisView::Page::ClassGap, callbacks, &error));
  ASSERT_TRUE(test::wait_until([&ready] { return ready > 0; }, 60000));
  EXPECT_FALSE(loadingWhenReady);
  EXPECT_TRUE(again.analysisView()->message().contains(QStringLiteral("the stored analysis")));
  EXPECT_EQ(again.analysisView()->pages()->currentIndex(), static_cast<int>(AnalysisView::Page::ClassGap));
  EXPECT_EQ(again.plotTabs()->currentWidget(), again.analysisView());
}

TEST_F(AnalysisLaunchTest, ADamagedStoredAnalysisReportsWhyInsteadOfBeingReady) {
  const QString dir = finishedRun(QStringLiteral("damaged"));
  const QDir analysis(QString::fromStdString(analysis_dir(dir.toStdString())));
  ASSERT_TRUE(QDir().mkpath(analysis.path()));
  QFile file(analysis.filePath(QStringLiteral("analysis.json")));
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("{");
  file.close();
  ASSERT_TRUE(open(dir, AnalysisView::Page::Confusion));
  EXPECT_EQ(readyCalls, 0);
  EXPECT_TRUE(failure.contains(QStringLiteral("analysis.json"))) << failure.toStdString();
}

}  // namespace
}  // namespace tl
