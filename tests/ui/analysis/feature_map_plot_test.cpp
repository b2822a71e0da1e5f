#include "analysis/feature_map_plot.h"

#include "analysis/pretrained_side.h"
#include "analysis/run_analysis.h"
#include "analysis/run_folder.h"
#include "panels/tensor_image.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"

#include "../core/support/fashion_mnist.h"
#include "../core/support/finished_run.h"
#include "support/ui_wait.h"

#include <QFileInfo>
#include <QFrame>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace tl {
namespace {

using Projection = FeatureMapPlot::Projection;
using Colouring = FeatureMapPlot::Colouring;
using Coordinates = std::vector<std::pair<double, double>>;

FeatureMapPoint point(Domain domain, int64_t index, int64_t label, int correct, float pca, float tsne) {
  FeatureMapPoint p;
  p.domain = domain;
  p.index = index;
  p.label = label;
  p.correct = correct;
  p.pca_x = pca;
  p.pca_y = -2 * pca;
  p.tsne_x = tsne;
  p.tsne_y = tsne + 1;
  return p;
}

/// Three source images (two classes) and four target images (three classes);
/// `shift` moves every coordinate, so the two maps can be told apart.
FeatureMap handBuiltMap(float shift, double mmd2, double proxy, bool tsne) {
  FeatureMap m;
  m.layer = "features.2";
  m.features = 128;
  m.source_classes = {"T-shirt/top", "Trouser"};
  m.target_classes = {"Sandal", "Shirt", "Bag"};
  const int judged = tsne ? 1 : -1;
  m.points = {point(Domain::Source, 0, 0, -1, shift + 1, shift + 10), point(Domain::Source, 4, 1, -1, shift + 2, shift + 20),
              point(Domain::Source, 9, 1, -1, shift + 3, shift + 30), point(Domain::Target, 2, 0, judged, shift + 4, shift + 40),
              point(Domain::Target, 3, 1, tsne ? 0 : -1, shift + 5, shift + 50),  point(Domain::Target, 5, 2, judged, shift + 6, shift + 60),
              point(Domain::Target, 7, 1, judged, shift + 7, shift + 70)};
  m.pca_explained_variance = {0.6, 0.25};
  m.has_tsne = tsne;
  m.mmd2 = mmd2;
  m.proxy_a_distance = proxy;
  return m;
}

RunAnalysis handBuiltAnalysis(const std::string& runDir = "") {
  RunAnalysis a;
  a.run_dir = runDir;
  a.feature_maps = {{"pretrained", handBuiltMap(100, 0.25, 1.5, false)}, {"trained", handBuiltMap(0, 0.0123, 0.42, true)}};
  return a;
}

/// Every point drawn, over all the plot's curves, sorted.
Coordinates drawn(const FeatureMapPlot& plot) {
  Coordinates all;
  QCustomPlot* p = plot.customPlot();
  for (int i = 0; i < p->plottableCount(); ++i) {
    const auto* curve = qobject_cast<QCPCurve*>(p->plottable(i));
    for (auto it = curve->data()->constBegin(); it != curve->data()->constEnd(); ++it) all.emplace_back(it->key, it->value);
  }
  std::sort(all.begin(), all.end());
  return all;
}

Coordinates expected(const FeatureMap& map, Projection projection) {
  Coordinates all;
  for (const auto& p : map.points) {
    all.emplace_back(projection == Projection::Pca ? p.pca_x : p.tsne_x, projection == Projection::Pca ? p.pca_y : p.tsne_y);
  }
  std::sort(all.begin(), all.end());
  return all;
}

/// (points, marker) of each curve, in drawing order.
std::vector<std::pair<int, QCPScatterStyle::ScatterShape>> groups(const FeatureMapPlot& plot) {
  std::vector<std::pair<int, QCPScatterStyle::ScatterShape>> out;
  QCustomPlot* p = plot.customPlot();
  for (int i = 0; i < p->plottableCount(); ++i) {
    const auto* curve = qobject_cast<QCPCurve*>(p->plottable(i));
    out.emplace_back(curve->dataCount(), curve->scatterStyle().shape());
  }
  return out;
}

/// The widget pixel of `p` in the shown projection, after a layout.
QPoint pixelOf(FeatureMapPlot& plot, const FeatureMapPoint& p) {
  plot.resize(800, 600);
  plot.customPlot()->replot();
  const bool pca = plot.projection() == Projection::Pca;
  return QPoint(static_cast<int>(plot.customPlot()->xAxis->coordToPixel(pca ? p.pca_x : p.tsne_x)),
                static_cast<int>(plot.customPlot()->yAxis->coordToPixel(pca ? p.pca_y : p.tsne_y)));
}

TEST(FeatureMapPlot, TheGraphHoldsExactlyThePointsCoordinatesInEachProjection) {
  FeatureMapPlot plot;
  const RunAnalysis analysis = handBuiltAnalysis();
  plot.setAnalysis(analysis);
  const FeatureMap& trained = analysis.feature_maps[1].map;
  EXPECT_EQ(plot.currentMap(), QStringLiteral("trained"));
  EXPECT_EQ(plot.projection(), Projection::Pca);
  EXPECT_EQ(drawn(plot), expected(trained, Projection::Pca));
  EXPECT_EQ(plot.customPlot()->xAxis->label(), QStringLiteral("PC 1 (60.0% of the variance)"));
  plot.setProjection(Projection::Tsne);
  EXPECT_EQ(plot.projection(), Projection::Tsne);
  EXPECT_EQ(drawn(plot), expected(trained, Projection::Tsne));
}

TEST(FeatureMapPlot, ColouringByDomainGivesTwoGroupsCirclesForSourceCrossesForTarget) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  using S = QCPScatterStyle;
  EXPECT_EQ(groups(plot), (std::vector<std::pair<int, S::ScatterShape>>{{3, S::ssCircle}, {4, S::ssCross}}));
  plot.setColouring(Colouring::Class);  // source: 1 + 2 images; target: 1 + 2 + 1
  EXPECT_EQ(groups(plot), (std::vector<std::pair<int, S::ScatterShape>>{
                              {1, S::ssCircle}, {2, S::ssCircle}, {1, S::ssCross}, {2, S::ssCross}, {1, S::ssCross}}));
  plot.setColouring(Colouring::Correct);  // source not judged; target 3 right, 1 wrong
  EXPECT_EQ(groups(plot), (std::vector<std::pair<int, S::ScatterShape>>{{3, S::ssCircle}, {3, S::ssCross}, {1, S::ssCross}}));
  EXPECT_EQ(plot.customPlot()->legend->itemCount(), 3);
  EXPECT_EQ(plot.customPlot()->plottable(2)->name(), QStringLiteral("target: wrong (1)"));
}

TEST(FeatureMapPlot, DomainsTakeTheColourBlindSafePalettesBlueAndOrange) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  const auto colour = [&plot](int i) {
    return qobject_cast<QCPCurve*>(plot.customPlot()->plottable(i))->scatterStyle().pen().color();
  };
  EXPECT_EQ(colour(0), style::okabe_ito::kBlue);
  EXPECT_EQ(colour(1), style::okabe_ito::kOrange);
}

TEST(FeatureMapPlot, PresentationModeEnlargesFontsAndMarkers) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  const double font = plot.customPlot()->xAxis->tickLabelFont().pointSizeF();
  const double marker = qobject_cast<QCPCurve*>(plot.customPlot()->plottable(0))->scatterStyle().size();
  plot.setPresentationScale(2.0 * plot.presentationScale());
  EXPECT_NEAR(plot.customPlot()->xAxis->tickLabelFont().pointSizeF(), 2 * font, 0.01 * font);
  EXPECT_DOUBLE_EQ(qobject_cast<QCPCurve*>(plot.customPlot()->plottable(0))->scatterStyle().size(), 2 * marker);
}

TEST(FeatureMapPlot, AHiddenPlotIsDrawnWhenShownNotBefore) {
  FeatureMapPlot plot;
  QCoreApplication::processEvents();  // the replot QCustomPlot queues when made
  QSignalSpy replots(plot.customPlot(), &QCustomPlot::afterReplot);
  plot.setAnalysis(handBuiltAnalysis());
  plot.setColouring(FeatureMapPlot::Colouring::Class);
  QCoreApplication::processEvents();
  EXPECT_EQ(replots.count(), 0) << "a page not on screen drew its markers";
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  EXPECT_TRUE(test::wait_until([&] { return replots.count() > 0; }, 2000));
}

TEST(FeatureMapPlot, ThePretrainedTrainedSwitchChangesThePointsAndTheSimilarityText) {
  FeatureMapPlot plot;
  const RunAnalysis analysis = handBuiltAnalysis();
  plot.setAnalysis(analysis);
  EXPECT_EQ(plot.mapNames(), (QStringList{QStringLiteral("pretrained"), QStringLiteral("trained")}));
  EXPECT_EQ(plot.similarityText(), QStringLiteral("MMD² 0.0123, proxy A-distance 0.42 · 3 source + 4 target "
                                                  "images at features.2 (128 features)"));
  plot.setProjection(Projection::Tsne);
  plot.setCurrentMap(QStringLiteral("pretrained"));
  EXPECT_EQ(plot.currentMap(), QStringLiteral("pretrained"));
  // The pretrained map has no t-SNE: the plot falls back to PCA.
  EXPECT_FALSE(plot.hasTsne());
  EXPECT_EQ(plot.projection(), Projection::Pca);
  EXPECT_EQ(drawn(plot), expected(analysis.feature_maps[0].map, Projection::Pca));
  EXPECT_TRUE(plot.similarityText().startsWith(QStringLiteral("MMD² 0.2500, proxy A-distance 1.50 · ")));
  plot.setProjection(Projection::Tsne);
  EXPECT_EQ(plot.projection(), Projection::Pca);
}

TEST(FeatureMapPlot, HoveringAPointWithoutImagesShowsItsDomainClassAndCorrectness) {
  FeatureMapPlot plot;
  const RunAnalysis analysis = handBuiltAnalysis();
  plot.setAnalysis(analysis);
  const auto& points = analysis.feature_maps[1].map.points;
  const FeatureMapPlot::Hover wrong = plot.hoverAt(pixelOf(plot, points[4]));
  ASSERT_TRUE(wrong.found);
  EXPECT_EQ(wrong.point, 4);
  EXPECT_EQ(wrong.text, QStringLiteral("target image 3\nShirt\npredicted wrong"));
  EXPECT_TRUE(wrong.image.isNull());
  const FeatureMapPlot::Hover source = plot.hoverAt(pixelOf(plot, points[1]));
  EXPECT_EQ(source.text, QStringLiteral("source image 4\nTrouser"));
  EXPECT_FALSE(plot.hoverAt(pixelOf(plot, points[1]) + QPoint(30, 30)).found);

  // Moving the mouse there shows it in the hover box.
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  QTest::mouseMove(plot.customPlot(), pixelOf(plot, points[4]));
  const auto* tip = plot.findChild<QFrame*>(QStringLiteral("featureMapHoverTip"));
  ASSERT_TRUE(tip);
  EXPECT_TRUE(test::wait_until([&] { return tip->isVisible(); }, 2000));
  EXPECT_EQ(tip->findChild<QLabel*>(QStringLiteral("featureMapHoverText"))->text(), wrong.text);
}

TEST(FeatureMapPlot, ADoubleClickAfterZoomingShowsEveryPointAgain) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  plot.resize(800, 600);
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  const QCPRange all = plot.customPlot()->xAxis->range();
  plot.customPlot()->xAxis->scaleRange(0.1);
  ASSERT_LT(plot.customPlot()->xAxis->range().size(), all.size());
  QTest::mouseDClick(plot.customPlot(), Qt::LeftButton, Qt::NoModifier, plot.customPlot()->rect().center());
  EXPECT_DOUBLE_EQ(plot.customPlot()->xAxis->range().lower, all.lower);
  EXPECT_DOUBLE_EQ(plot.customPlot()->xAxis->range().upper, all.upper);
}

TEST(FeatureMapPlot, ExportWritesANonEmptyPngAndPdf) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  QTemporaryDir dir;
  const QString png = dir.filePath(QStringLiteral("map.png"));
  const QString pdf = dir.filePath(QStringLiteral("map.pdf"));
  ASSERT_TRUE(plot.exportTo(png));
  ASSERT_TRUE(plot.exportTo(pdf));
  QImage written(png);
  EXPECT_EQ(written.size(), QSize(900, 700));
  EXPECT_GT(QFileInfo(pdf).size(), 0);
}

TEST(FeatureMapPlot, ClearLeavesNothingDrawn) {
  FeatureMapPlot plot;
  plot.setAnalysis(handBuiltAnalysis());
  plot.clear();
  EXPECT_EQ(plot.customPlot()->plottableCount(), 0);
  EXPECT_TRUE(plot.mapNames().isEmpty());
  EXPECT_TRUE(plot.similarityText().isEmpty());
}

/// A finished run from the built-in checkpoint (its model exported untrained):
/// the target's test images and the checkpoint's source task are the hover's images.
void writeFinishedRun(const std::string& dir) {
  test::write_finished_run(test::small_run_config("feature map plot test"), dir);
}

/// One finished run and the images the analysis reads from it, for the suite.
class FeatureMapPlotOnARun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::have_fashion_mnist()) return;
    runs_ = new QTemporaryDir;
    writeFinishedRun(runDir());
    const RunFolder folder = load_run_folder(runDir());
    std::vector<std::string> notes;
    source_ = new Dataset(load_pretrained_side(folder, notes).source_pixels);
    target_ = new Dataset(run_test_pixels(folder));
  }
  static void TearDownTestSuite() {
    delete source_;
    delete target_;
    delete runs_;
  }
  void SetUp() override { REQUIRE_FASHION_MNIST(); }
  static std::string runDir() { return runs_->filePath(QStringLiteral("run")).toStdString(); }

  static QTemporaryDir* runs_;
  static Dataset* source_;
  static Dataset* target_;
};
QTemporaryDir* FeatureMapPlotOnARun::runs_ = nullptr;
Dataset* FeatureMapPlotOnARun::source_ = nullptr;
Dataset* FeatureMapPlotOnARun::target_ = nullptr;

TEST_F(FeatureMapPlotOnARun, HoveringShowsTheRunsSourceAndTargetImages) {
  FeatureMapPlot plot;
  QSignalSpy loaded(&plot, &FeatureMapPlot::imagesLoaded);
  const RunAnalysis analysis = handBuiltAnalysis(runDir());
  plot.setAnalysis(analysis);
  ASSERT_TRUE(test::wait_until([&] { return !loaded.isEmpty(); }, 60000)) << plot.imageError().toStdString();
  EXPECT_EQ(plot.loadedImageCount(), 7);
  const auto& points = analysis.feature_maps[1].map.points;
  EXPECT_EQ(plot.hoverAt(pixelOf(plot, points[2])).image, tensorToImage(source_->images[9]));
  EXPECT_EQ(plot.hoverAt(pixelOf(plot, points[5])).image, tensorToImage(target_->images[5]));
}

TEST(FeatureMapPlot, ARunFolderThatCannotBeReadLeavesTheHoverItsText) {
  FeatureMapPlot plot;
  const RunAnalysis analysis = handBuiltAnalysis("/nonexistent/run");
  plot.setAnalysis(analysis);
  ASSERT_TRUE(test::wait_until([&] { return !plot.isLoadingImages(); }, 60000));
  EXPECT_EQ(plot.imageError(), QStringLiteral("/nonexistent/run: no such run folder"));
  const FeatureMapPlot::Hover hover = plot.hoverAt(pixelOf(plot, analysis.feature_maps[1].map.points[3]));
  EXPECT_EQ(hover.text, QStringLiteral("target image 2\nSandal\npredicted right"));
  EXPECT_TRUE(hover.image.isNull());
}

}  // namespace
}  // namespace tl
