#include "analysis/grad_cam_panel.h"

#include "analysis/grad_cam.h"
#include "analysis/grad_cam_overlay.h"
#include "analysis/run_folder.h"
#include "panels/tensor_image.h"
#include "tasks/task_progress_bar.h"

#include "../core/support/fashion_mnist.h"
#include "../core/support/finished_run.h"
#include "support/ui_wait.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <memory>

namespace tl {
namespace {

using test::wait_until;

constexpr int kTimeoutMs = 60000;

/// A comparison from the built-in checkpoint: the transfer model and its
/// scratch twin exported untrained (Grad-CAM does not care how good a model is).
void writeComparisonRun(const std::string& dir) {
  test::write_finished_comparison(test::small_run_config("grad-cam panel test"), dir);
}

/// What core computes for one test image, to compare the panel with.
struct Expected {
  torch::Tensor map;  ///< [H, W]
  int64_t explained = 0;
  int64_t label = 0;
};

class GradCamPanelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::have_fashion_mnist()) return;
    runs_ = new QTemporaryDir;
    writeComparisonRun(runDir().toStdString());
    folder_ = new RunFolder(load_run_folder(runDir().toStdString()));
    pixels_ = new Dataset(run_test_pixels(*folder_));
  }
  static void TearDownTestSuite() {
    delete pixels_;
    delete folder_;
    delete runs_;
  }
  void SetUp() override { REQUIRE_FASHION_MNIST(); }

  static QString runDir() { return runs_->filePath(QStringLiteral("run")); }

  static Expected expected(const SavedModel& model, int64_t index, const std::string& layer, bool trueClass) {
    const Dataset image = normalised_for(pixels_->subset(torch::tensor({index}, torch::kLong)), model);
    const int64_t label = image.labels[0].item<int64_t>();
    const GradCam cam = grad_cam(*model.model.ptr(), image.images,
                                 trueClass ? torch::tensor({label}, torch::kLong) : torch::Tensor(), layer);
    return {cam.maps[0], cam.classes[0].item<int64_t>(), label};
  }

  /// The first test image whose transfer-model map is not flat, so the
  /// overlay's hottest and coldest pixels differ.
  static int64_t imageWithAMap() {
    for (int64_t i = 0; i < pixels_->size(); ++i) {
      const torch::Tensor map = expected(folder_->model, i, "", false).map;
      if (map.max().item<float>() > map.min().item<float>()) return i;
    }
    return 0;
  }

  /// Shows `index` and waits until the panel has explained it.
  bool explain(int64_t index) {
    QSignalSpy explained(&panel, &GradCamPanel::explained);
    panel.showImage(index);
    return wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs);
  }

  bool loadRun() {
    QSignalSpy loaded(&panel, &GradCamPanel::runLoaded);
    panel.setRun(runDir());
    return wait_until([&] { return !loaded.isEmpty(); }, kTimeoutMs);
  }

  static QTemporaryDir* runs_;
  static RunFolder* folder_;
  static Dataset* pixels_;
  GradCamPanel panel;
};
QTemporaryDir* GradCamPanelTest::runs_ = nullptr;
RunFolder* GradCamPanelTest::folder_ = nullptr;
Dataset* GradCamPanelTest::pixels_ = nullptr;

void expectHeatIs(const GradCamView& view, const torch::Tensor& map) {
  ASSERT_EQ(view.height, map.size(0));
  ASSERT_EQ(view.width, map.size(1));
  const torch::Tensor shown = torch::tensor(std::vector<float>(view.heat.begin(), view.heat.end())).view(map.sizes());
  EXPECT_TRUE(torch::allclose(shown, map, 0.0, 1e-6));
}

/// Relative luminance (WCAG's, from linearised sRGB), in [0, 1].
double luminance(const QColor& c) {
  const auto linear = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF());
}

TEST(GradCamOverlay, TheColourMapGrowsLighterFromDarkToBright) {
  double previous = -1.0;
  for (int i = 0; i <= 20; ++i) {
    const double y = luminance(viridis(i / 20.0));
    EXPECT_GT(y, previous) << i;
    previous = y;
  }
  EXPECT_LT(luminance(viridis(0.0)), 0.05);
  EXPECT_GT(luminance(viridis(1.0)), 0.7);
  // Half the heat colour over a grey pixel.
  EXPECT_EQ(blendHeat(qRgb(100, 100, 100), 1.0, 0.5),
            qRgb((100 + viridis(1.0).red() + 1) / 2, (100 + viridis(1.0).green() + 1) / 2,
                 (100 + viridis(1.0).blue() + 1) / 2));
}

TEST_F(GradCamPanelTest, ShowsTheTransferModelAndTheTwinSideBySideEachWithGradCamsMap) {
  ASSERT_TRUE(loadRun());
  EXPECT_EQ(panel.layers().back(), QString::fromStdString(default_grad_cam_layer(*folder_->model.model)));
  EXPECT_EQ(panel.layer(), panel.layers().back());
  const int64_t index = imageWithAMap();
  ASSERT_TRUE(explain(index));

  const QVector<GradCamView> views = panel.views();
  ASSERT_EQ(views.size(), 2);
  EXPECT_EQ(views[0].model, QStringLiteral("transfer model"));
  EXPECT_EQ(views[1].model, QStringLiteral("scratch twin"));
  expectHeatIs(views[0], expected(folder_->model, index, "", false).map);
  expectHeatIs(views[1], expected(*folder_->twin_model, index, "", false).map);
  for (const GradCamView& view : views) {
    EXPECT_EQ(view.explainedClass, view.predictedClass);
    EXPECT_TRUE(view.caption.contains(QString::fromStdString(pixels_->class_names[view.predictedClass])));
  }

  // The overlay is the image under the map's colours: its hottest pixel shows
  // viridis(1) blended in, its coldest viridis(min).
  const QImage image = tensorToImage(pixels_->images[index]).convertToFormat(QImage::Format_RGB32);
  const GradCamView& transfer = views[0];
  const auto hottest = std::max_element(transfer.heat.begin(), transfer.heat.end()) - transfer.heat.begin();
  const auto coldest = std::min_element(transfer.heat.begin(), transfer.heat.end()) - transfer.heat.begin();
  for (const auto at : {hottest, coldest}) {
    const int x = static_cast<int>(at % transfer.width), y = static_cast<int>(at / transfer.width);
    EXPECT_EQ(transfer.overlay.pixel(x, y), blendHeat(image.pixel(x, y), transfer.heat[at], 0.5)) << x << "," << y;
  }
  EXPECT_EQ(panel.image(), tensorToImage(pixels_->images[index]));
}

TEST_F(GradCamPanelTest, SwitchingToTheTrueClassExplainsTheTrueClass) {
  ASSERT_TRUE(loadRun());
  // An image the untrained transfer model gets wrong, so the two classes differ.
  int64_t index = 0;
  while (index < pixels_->size() - 1 && expected(folder_->model, index, "", false).explained ==
                                            expected(folder_->model, index, "", true).explained) {
    ++index;
  }
  ASSERT_TRUE(explain(index));
  const Expected truth = expected(folder_->model, index, "", true);
  ASSERT_NE(panel.views()[0].explainedClass, truth.label);

  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.setExplainsTrueClass(true);
  ASSERT_TRUE(wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs));
  for (const GradCamView& view : panel.views()) EXPECT_EQ(view.explainedClass, truth.label);
  expectHeatIs(panel.views()[0], truth.map);
  EXPECT_TRUE(panel.views()[0].caption.contains(QStringLiteral("(the true class)")));
}

TEST_F(GradCamPanelTest, AnotherLayerGivesThatLayersMap) {
  ASSERT_TRUE(loadRun());
  const QString early = panel.layers().front();
  ASSERT_NE(early, panel.layer());
  ASSERT_TRUE(explain(1));
  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.setLayer(early);
  ASSERT_TRUE(wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs));
  expectHeatIs(panel.views()[0], expected(folder_->model, 1, early.toStdString(), false).map);
}

TEST_F(GradCamPanelTest, ChangesMadeWhileAMapIsComputedEndInTheLatestOnesMap) {
  ASSERT_TRUE(loadRun());
  const QString early = panel.layers().front();
  panel.showImage(4);
  panel.setLayer(early);
  panel.setExplainsTrueClass(true);
  panel.showImage(5);
  ASSERT_TRUE(wait_until([&] { return !panel.isBusy() && panel.image() == tensorToImage(pixels_->images[5]); },
                         kTimeoutMs));
  expectHeatIs(panel.views()[0], expected(folder_->model, 5, early.toStdString(), true).map);
}

TEST_F(GradCamPanelTest, AnImageFileIsExplainedAtTheModelsInputSizeAndChannels) {
  ASSERT_TRUE(loadRun());
  QTemporaryDir files;
  const QString path = files.filePath(QStringLiteral("boot.png"));
  QImage colour(56, 40, QImage::Format_RGB32);
  colour.fill(QColor(200, 40, 40));
  ASSERT_TRUE(colour.save(path));
  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.showImageFile(path);
  ASSERT_TRUE(wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs));
  EXPECT_EQ(panel.image().size(), QSize(28, 28));
  EXPECT_EQ(panel.image().format(), QImage::Format_Grayscale8);
  ASSERT_EQ(panel.views().size(), 2);
  EXPECT_EQ(panel.views()[0].overlay.size(), QSize(28, 28));
}

TEST_F(GradCamPanelTest, ATwinWithoutItsModelLeavesTheTransferModelAloneAndSaysWhy) {
  QTemporaryDir copies;
  const QString copy = copies.filePath(QStringLiteral("run"));
  std::filesystem::copy(runDir().toStdString(), copy.toStdString(), std::filesystem::copy_options::recursive);
  std::filesystem::remove(copy.toStdString() + "/twin/" + kExportedWeightsFile);
  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.setRun(copy);
  panel.showImage(0);
  ASSERT_TRUE(wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs));
  ASSERT_EQ(panel.views().size(), 1);
  EXPECT_EQ(panel.views()[0].model, QStringLiteral("transfer model"));
  EXPECT_EQ(panel.noteText(),
            QStringLiteral("The scratch twin's model was not saved with this run: only the transfer model is explained."));
  panel.setRun(runDir());
  EXPECT_TRUE(panel.noteText().isEmpty());
}

TEST_F(GradCamPanelTest, AnImageAskedForWhileTheRunLoadsIsExplainedOnceItHasLoaded) {
  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.setRun(runDir());
  panel.showImage(2);
  EXPECT_TRUE(panel.isLoading());
  ASSERT_TRUE(wait_until([&] { return !explained.isEmpty() && !panel.isBusy(); }, kTimeoutMs));
  ASSERT_EQ(panel.views().size(), 2);
  expectHeatIs(panel.views()[0], expected(folder_->model, 2, "", false).map);
}

TEST_F(GradCamPanelTest, CancellingTheLoadSaysSoAndExplainsNothing) {
  QSignalSpy explained(&panel, &GradCamPanel::explained);
  panel.setRun(runDir());
  panel.showImage(2);
  panel.progress()->cancelButton()->click();
  EXPECT_FALSE(panel.isBusy());
  EXPECT_EQ(panel.statusText(), QStringLiteral("Loading the run was cancelled."));
  QTest::qWait(200);
  EXPECT_TRUE(explained.isEmpty());
  EXPECT_TRUE(panel.layers().isEmpty());
}

TEST_F(GradCamPanelTest, AFolderErrorIsShownAsText) {
  QSignalSpy failed(&panel, &GradCamPanel::failed);
  panel.setRun(QStringLiteral("/nonexistent/run"));
  ASSERT_TRUE(wait_until([&] { return !failed.isEmpty(); }, kTimeoutMs));
  EXPECT_EQ(panel.statusText(), QStringLiteral("Could not load the run: /nonexistent/run: no such run folder"));
  EXPECT_TRUE(panel.views().isEmpty());
}

TEST_F(GradCamPanelTest, AnImageOutsideTheTestSetIsShownAsText) {
  ASSERT_TRUE(loadRun());
  QSignalSpy failed(&panel, &GradCamPanel::failed);
  panel.showImage(pixels_->size());
  ASSERT_TRUE(wait_until([&] { return !failed.isEmpty(); }, kTimeoutMs));
  EXPECT_EQ(panel.statusText(), QStringLiteral("Could not explain the image: test image 60: the run has 60 test images"));
}

}  // namespace
}  // namespace tl
