#include "analysis/analysis_view.h"

#include "analysis/analysis_files.h"
#include "analysis/class_gap_plot.h"
#include "analysis/feature_map_plot.h"
#include "analysis/grad_cam_panel.h"
#include "analysis/image_gallery.h"
#include "plot/qcustomplot_no_keywords.h"
#include "support/analysis_fixtures.h"
#include "support/ui_wait.h"
#include "tasks/background_task.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace tl {
namespace {

using Panel = ConfusionPlot::Panel;

/// Run folders shared by the suite: preparing a run loads Fashion-MNIST once.
class AnalysisViewTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new QTemporaryDir;
    test::writeFinishedRun(finishedRun().toStdString());
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }
  static QString finishedRun() { return root_->filePath(QStringLiteral("finished")); }

  /// A copy of the finished run in a fresh folder, so each test starts without an analysis.
  QString freshRun(const QString& name) {
    const QString dir = root_->filePath(name);
    fs::remove_all(dir.toStdString());
    fs::copy(finishedRun().toStdString(), dir.toStdString(), fs::copy_options::recursive);
    return dir;
  }

  /// A folder holding only a hand-built analysis: no model, no config, so
  /// computing it would fail; only read_analysis can show it.
  QString storedOnly() {
    const QString dir = root_->filePath(QStringLiteral("stored-only"));
    fs::remove_all(dir.toStdString());
    write_analysis(test::handBuiltAnalysis(dir.toStdString()), analysis_dir(dir.toStdString()));
    return dir;
  }

  bool waitShown(int timeoutMs = 20000) {
    QSignalSpy shown(&view, &AnalysisView::analysisShown);
    return test::wait_until([&] { return shown.count() > 0 || !view.task()->isRunning(); }, timeoutMs) &&
           shown.count() > 0;
  }

  static QTemporaryDir* root_;
  AnalysisView view;
};

QTemporaryDir* AnalysisViewTest::root_ = nullptr;

TEST_F(AnalysisViewTest, OpensAStoredAnalysisWithoutComputingIt) {
  const QString dir = storedOnly();
  view.setRun(dir);
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  ASSERT_NE(view.analysis(), nullptr);
  EXPECT_EQ(view.analysis()->transfer.matrix.counts, test::transferMatrix().counts);
  EXPECT_EQ(view.analysis()->twin->matrix.counts, test::twinMatrix().counts);
  EXPECT_EQ(view.confusionPlot()->cellText(Panel::Transfer, 1, 1), QStringLiteral("3"));
  EXPECT_EQ(view.confusionPlot()->cellText(Panel::Difference, 0, 2), QStringLiteral("−2"));
  EXPECT_EQ(view.analyseButton()->text(), QStringLiteral("Recompute"));
  EXPECT_FALSE(view.showsError());
  // Without the run's config the test images cannot be rebuilt: said, not fatal.
  EXPECT_TRUE(view.testImages().isEmpty());
  EXPECT_TRUE(view.message().contains(QStringLiteral("Test images are not shown"))) << view.message().toStdString();
}

TEST_F(AnalysisViewTest, FillsTheGapBarsPairsAndTopLossesFromTheAnalysis) {
  const RunAnalysis expected = test::handBuiltAnalysis("");
  view.setRun(storedOnly());
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  for (int c = 0; c < 3; ++c) {
    ASSERT_TRUE(view.classGapPlot()->bar(c)) << c;
    EXPECT_NEAR(view.classGapPlot()->bar(c)->points, *expected.per_class[static_cast<size_t>(c)].gap_points, 1e-6);
  }
  ASSERT_EQ(view.confusedPairs()->rowCount(), static_cast<int>(expected.most_confused.size()));
  const ConfusedPair& first = expected.most_confused.front();
  EXPECT_EQ(view.confusedPairs()->item(0, 2)->text(), QString::number(first.count));
  EXPECT_EQ(view.confusedPairs()->item(0, 3)->text(),
            QString::number(test::twinMatrix().count(first.true_class, first.predicted)));
  QVector<qint64> topIndices;
  for (const ImagePrediction& p : expected.top_losses) topIndices << p.index;
  EXPECT_EQ(view.topLosses()->indices(), topIndices);
}

TEST_F(AnalysisViewTest, ClickingACellOpensExactlyItsImagesAndAChosenOneGoesToGradCam) {
  view.resize(1300, 700);
  view.show();
  view.setRun(storedOnly());
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  ConfusionPlot* plot = view.confusionPlot();
  QTest::mouseClick(plot->customPlot(), Qt::LeftButton, Qt::NoModifier, plot->cellCentre(Panel::Transfer, 0, 1));
  ASSERT_TRUE(view.gallery()->isVisible());
  QVector<qint64> expected;
  for (const ImagePrediction& p : test::transferMatrix().cell_images(0, 1)) expected << p.index;
  ASSERT_EQ(expected, (QVector<qint64>{1, 9}));
  ImageGallery* gallery = view.gallery()->gallery();
  EXPECT_EQ(gallery->indices(), expected);
  EXPECT_TRUE(gallery->caption(1).contains(QStringLiteral("50.9%"))) << gallery->caption(1).toStdString();

  // The twin's panel opens the twin's images of the same cell.
  QTest::mouseClick(plot->customPlot(), Qt::LeftButton, Qt::NoModifier, plot->cellCentre(Panel::Twin, 0, 2));
  EXPECT_EQ(gallery->indices(), (QVector<qint64>{1, 2}));

  QSignalSpy explained(&view, &AnalysisView::imageExplained);
  ASSERT_TRUE(QTest::qWaitForWindowExposed(view.gallery()));
  const QRect second = gallery->visualItemRect(gallery->item(1));
  QTest::mouseClick(gallery->viewport(), Qt::LeftButton, Qt::NoModifier, second.center());
  ASSERT_EQ(explained.count(), 1);
  EXPECT_EQ(explained[0][0].toLongLong(), 2);
  EXPECT_EQ(view.pages()->currentIndex(), static_cast<int>(AnalysisView::Page::GradCam));
}

TEST_F(AnalysisViewTest, TheGradCamPageLoadsTheRunOnlyWhenFirstShown) {
  const QString dir = storedOnly();
  view.setRun(dir);
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  EXPECT_TRUE(view.gradCamPanel()->runDir().isEmpty());
  view.showPage(AnalysisView::Page::FeatureMap);
  EXPECT_TRUE(view.gradCamPanel()->runDir().isEmpty());
  view.showPage(AnalysisView::Page::GradCam);
  EXPECT_EQ(view.gradCamPanel()->runDir(), dir);
}

TEST_F(AnalysisViewTest, EnterOnAConfusedPairOpensItsImages) {
  view.show();
  view.setRun(storedOnly());
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  const ConfusedPair first = most_confused(test::transferMatrix()).front();
  QTableWidget* pairs = view.confusedPairs();
  pairs->setCurrentCell(0, 1);
  QTest::keyClick(pairs, Qt::Key_Return);
  ASSERT_TRUE(view.gallery()->isVisible());
  QVector<qint64> expected;
  for (const ImagePrediction& p : test::transferMatrix().cell_images(first.true_class, first.predicted)) {
    expected << p.index;
  }
  EXPECT_EQ(view.gallery()->gallery()->indices(), expected);
}

TEST_F(AnalysisViewTest, ARunWithoutAnalysisOffersToAnalyseIt) {
  view.setRun(freshRun(QStringLiteral("offer")));
  EXPECT_FALSE(view.task()->isRunning());
  EXPECT_EQ(view.analyseButton()->text(), QStringLiteral("Analyse this run"));
  EXPECT_TRUE(view.analyseButton()->isEnabled());
  EXPECT_TRUE(view.message().startsWith(QStringLiteral("This run has no analysis yet.")));
  EXPECT_EQ(view.analysis(), nullptr);
}

TEST_F(AnalysisViewTest, AFinishedRunIsOfferedUnlessAnAnalysisIsUnderWay) {
  const QString busy = freshRun(QStringLiteral("busy"));
  const QString finished = freshRun(QStringLiteral("just-finished"));
  view.setRun(busy);
  view.analyse();
  EXPECT_FALSE(view.offerRun(finished));
  EXPECT_EQ(view.runDir(), busy);
  EXPECT_TRUE(view.task()->isRunning());
  view.task()->cancel();
  EXPECT_TRUE(view.offerRun(finished));
  EXPECT_EQ(view.runDir(), finished);
}

TEST_F(AnalysisViewTest, AnalysingARunShowsItWithItsImagesAndWritesThePlotImages) {
  const QString dir = freshRun(QStringLiteral("computed"));
  view.setAnalysisOptions(test::quickAnalysis());
  view.setRun(dir);
  QSignalSpy imagesWritten(&view, &AnalysisView::plotImagesWritten);
  view.analyseButton()->click();
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  ASSERT_TRUE(test::wait_until([&] { return imagesWritten.count() > 0; }, 5000));
  EXPECT_FALSE(view.showsError()) << view.message().toStdString();
  const QDir out(QString::fromStdString(analysis_dir(dir.toStdString())));
  for (const char* file : {"analysis.json", "confusion.csv", "predictions.csv", "confusion.png", "feature_map.png"}) {
    EXPECT_TRUE(QFileInfo::exists(out.filePath(QLatin1String(file)))) << file;
  }
  EXPECT_FALSE(QImage(out.filePath(QStringLiteral("confusion.png"))).isNull());
  const int64_t total = view.analysis()->transfer.matrix.total();
  EXPECT_EQ(total, 60);
  EXPECT_EQ(view.testImages().size(), total);
  EXPECT_EQ(view.testImages().front().size(), QSize(28, 28));
  EXPECT_EQ(view.analyseButton()->text(), QStringLiteral("Recompute"));
  EXPECT_TRUE(view.topLosses()->hasPixels(0));
}

/// The share of pixels where two images of one size differ, whatever their
/// PNG colour types; 1 when their sizes differ.
double differingShare(const QImage& written, const QImage& drawn) {
  if (written.size() != drawn.size() || written.isNull()) return 1.0;
  const QImage a = written.convertToFormat(QImage::Format_RGB32);
  const QImage b = drawn.convertToFormat(QImage::Format_RGB32);
  qint64 differing = 0;
  for (int y = 0; y < a.height(); ++y) {
    for (int x = 0; x < a.width(); ++x) differing += a.pixel(x, y) != b.pixel(x, y);
  }
  return static_cast<double>(differing) / (static_cast<double>(a.width()) * a.height());
}

/// Replaying a recorded plot antialiases the edges of its clip rectangles
/// (an axis line at a plot's border comes out half grey): a few tenths of a
/// percent of the pixels; a missing or misplaced element differs far more.
constexpr double kReplayTolerance = 0.01;

TEST_F(AnalysisViewTest, ThePlotImagesWrittenInTheBackgroundShowThePlotsAtTheirExportSizes) {
  const QString dir = freshRun(QStringLiteral("plot-images"));
  view.setAnalysisOptions(test::quickAnalysis());
  view.setRun(dir);
  QSignalSpy imagesWritten(&view, &AnalysisView::plotImagesWritten);
  view.analyse();
  ASSERT_TRUE(waitShown()) << view.message().toStdString();
  ASSERT_TRUE(test::wait_until([&] { return imagesWritten.count() > 0; }, 5000));
  EXPECT_FALSE(view.showsError()) << view.message().toStdString();
  const QDir out(QString::fromStdString(analysis_dir(dir.toStdString())));

  const QImage confusion(out.filePath(QStringLiteral("confusion.png")));
  EXPECT_EQ(confusion.size(), QSize(1500, 600));
  EXPECT_LT(differingShare(confusion, QImage::fromData(view.confusionPlot()->pngBytes(1500, 600))), kReplayTolerance);

  const QString gapPath = out.filePath(QStringLiteral("class_gap.png"));
  if (view.classGapPlot()->emptyText().isEmpty()) {
    const QImage gap(gapPath);
    EXPECT_EQ(gap.size(), QSize(1200, 600));
    EXPECT_LT(differingShare(gap, QImage::fromData(view.classGapPlot()->pngBytes(1200, 600))), kReplayTolerance);
  } else {
    EXPECT_FALSE(QFileInfo::exists(gapPath));
  }

  QTemporaryDir scratch;
  const QString exported = scratch.filePath(QStringLiteral("feature_map.png"));
  ASSERT_TRUE(view.featureMapPlot()->exportTo(exported));
  const QImage featureMap(out.filePath(QStringLiteral("feature_map.png")));
  ASSERT_FALSE(featureMap.isNull());
  EXPECT_EQ(featureMap.size(), QImage(exported).size());
  EXPECT_LT(differingShare(featureMap, QImage(exported)), kReplayTolerance);
}

TEST_F(AnalysisViewTest, CancelLeavesNoAnalysisFolder) {
  const QString dir = freshRun(QStringLiteral("cancelled"));
  {
    AnalysisView cancelled;
    cancelled.setRun(dir);
    cancelled.analyse();
    ASSERT_TRUE(cancelled.task()->isRunning());
    cancelled.task()->cancel();
    EXPECT_EQ(cancelled.message(), QStringLiteral("Analysis cancelled; nothing was written."));
    EXPECT_TRUE(cancelled.analyseButton()->isEnabled());
  }  // joins the analysing thread
  EXPECT_FALSE(fs::exists(analysis_dir(dir.toStdString())));
}

TEST_F(AnalysisViewTest, AFolderWithoutModelShowsTheReason) {
  const QString dir = freshRun(QStringLiteral("no-model"));
  fs::remove(fs::path(dir.toStdString()) / "model.safetensors");
  view.setRun(dir);
  view.analyse();
  ASSERT_TRUE(test::wait_until([&] { return !view.task()->isRunning(); }, 10000));
  EXPECT_TRUE(view.showsError());
  EXPECT_EQ(view.message(), dir + QStringLiteral(
                                      "/model.safetensors: not found; the analysis needs the trained model that a "
                                      "finished run leaves beside run.json (stopped or failed runs, progressive "
                                      "networks and runs of versions before model export have none)"));
  EXPECT_EQ(view.analysis(), nullptr);
}

TEST_F(AnalysisViewTest, AnAnalysisOfAnotherVersionShowsTheReasonAndCanBeRecomputed) {
  const QString dir = storedOnly();
  const std::string json = analysis_dir(dir.toStdString()) + "/analysis.json";
  std::ofstream(json) << R"({"version": 99})";
  view.setRun(dir);
  ASSERT_TRUE(test::wait_until([&] { return !view.task()->isRunning(); }, 5000));
  EXPECT_TRUE(view.showsError());
  EXPECT_TRUE(view.message().startsWith(QString::fromStdString(json + ": not an analysis of version 1")))
      << view.message().toStdString();
  EXPECT_EQ(view.analysis(), nullptr);
  EXPECT_TRUE(view.analyseButton()->isEnabled());
}

TEST_F(AnalysisViewTest, ExportsTheVisiblePage) {
  view.resize(1000, 600);
  view.setRun(storedOnly());
  ASSERT_TRUE(waitShown());
  QTemporaryDir out;
  view.showPage(AnalysisView::Page::ClassGap);
  const QString png = out.filePath(QStringLiteral("gap.png"));
  ASSERT_TRUE(view.exportPng(png));
  EXPECT_EQ(QImage(png).size(), QSize(1200, 600));
  view.showPage(AnalysisView::Page::Errors);
  const QString pdf = out.filePath(QStringLiteral("errors.pdf"));
  ASSERT_TRUE(view.exportPdf(pdf));
  EXPECT_GT(QFileInfo(pdf).size(), 0);
}

}  // namespace
}  // namespace tl
