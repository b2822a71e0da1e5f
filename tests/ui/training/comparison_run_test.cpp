// End-to-end runs through the window: a twin comparison ends in a verdict
// banner and a run record with the comparison sections; the tree's drift
// column follows the training; a DANN run feeds its panel.

#include "dann/dann_panel.h"
#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_panel.h"
#include "main_window/main_window.h"
#include "main_window/training_controls.h"
#include "plot/loss_plot.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "support/batch_window.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"
#include "verdict/verdict_banner.h"
#include "weights/checkpoint.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace tl {
namespace {

using State = TrainingController::State;

constexpr int kRunTimeoutMs = 300000;  // generous: two cores shared with other builds

QString builtinModel() {
  const auto models = builtin_models();
  return models.empty() ? QString() : QString::fromStdString(models.front().name);
}

/// A pretrained model on three new classes with five shots each: a transfer
/// run and its twin take seconds. The lower blocks stay frozen.
QString transferConfig(int epochs) {
  return QStringLiteral(R"({"name": "twin test", "model": {"pretrained": "%1"},
    "target": {"classes": [5, 6, 7], "shots_per_class": 5, "test_per_class": 20, "seed": 1},
    "transfer": {"similarity": "moderate", "strategy": "partial_fine_tuning", "top_blocks": 1},
    "training": {"epochs": %2, "batch_size": 16, "learning_rate": 0.01, "seed": 1}})")
      .arg(builtinModel())
      .arg(epochs);
}

/// The built-in checkpoint with a recorded source task of 20 images per
/// class: DANN trains on the source task every epoch, and the full one (27,000
/// images) would take minutes here.
QString smallSourceCheckpoint(const QTemporaryDir& dir) {
  Checkpoint checkpoint = load_checkpoint(resolve_checkpoint(builtinModel().toStdString()));
  checkpoint.metadata.extra["recipe"]["source"]["shots_per_class"] = 20;
  const QString path = dir.filePath(QStringLiteral("small-source.safetensors"));
  save_checkpoint(checkpoint, path.toStdString());
  return path;
}

QJsonObject readJson(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

class ComparisonRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::isolateSettings();
  }

  void SetUp() override {
    if (builtinModel().isEmpty()) GTEST_SKIP() << "no built-in checkpoint";
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
  }

  void load(const QString& json) {
    QString error;
    ASSERT_TRUE(window.session()->setConfigJson(json, &error)) << error.toStdString();
  }
  bool runToTheEnd() {
    return window.startTraining() &&
           test::wait_until([&] { return !window.controller()->isBusy(); }, kRunTimeoutMs);
  }

  QTemporaryDir runs;
  MainWindow window;
};

TEST_F(ComparisonRunTest, TwinComparisonOverTwoSeedsEndsInAVerdictBannerAndRecord) {
  load(transferConfig(2));
  window.trainingControls()->setRunOptions({true, 2});
  QSignalSpy jobs(window.controller(), &TrainingController::jobStarted);
  QSignalSpy verdicts(window.controller(), &TrainingController::comparisonFinished);
  ASSERT_TRUE(runToTheEnd());
  ASSERT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();

  // Core names each job by seed and role.
  ASSERT_EQ(jobs.count(), 4);
  const auto job = [&](int i) { return jobs[i][0].value<JobIdentity>(); };
  EXPECT_EQ(job(0), (JobIdentity{1, JobRole::Transfer, 0, 4, 2}));
  EXPECT_TRUE(job(1).is_twin());
  EXPECT_EQ(job(3).index, 3);
  EXPECT_EQ(job(3).count, 4);

  ASSERT_EQ(verdicts.count(), 1);
  const VerdictBanner* banner = window.verdictBanner();
  EXPECT_FALSE(banner->isHidden());
  ASSERT_TRUE(banner->label().has_value());
  EXPECT_TRUE(banner->text().contains(QStringLiteral("over 2 seeds"))) << banner->text().toStdString();
  EXPECT_EQ(banner->perClassText().count(QLatin1Char('\n')), 2);  // three classes, one line each

  // The plot: this seed's transfer and twin, and seed 1's pair faint.
  LossPlot* plot = window.lossPlot();
  plot->flushPending();
  EXPECT_EQ(plot->pointCount(LossPlot::Series::ValAccuracy), 2);
  EXPECT_EQ(plot->twinPointCount(LossPlot::Series::ValAccuracy), 2);
  EXPECT_GT(plot->earlierSeedCurveCount(), 0);
  EXPECT_TRUE(plot->twinName().endsWith(QStringLiteral("twin")));

  // The record: as `transferlab-cli run --twin --seeds 2` writes it.
  const QDir dir(window.controller()->lastRunDir());
  const QJsonObject run = readJson(dir.filePath(QStringLiteral("run.json")));
  ASSERT_TRUE(run.contains(QStringLiteral("verdict")));
  EXPECT_EQ(run.value(QStringLiteral("verdict")).toObject().value(QStringLiteral("label")).toString().toStdString(),
            verdict_label_name(*banner->label()));
  EXPECT_EQ(run.value(QStringLiteral("verdict")).toObject().value(QStringLiteral("seeds")).toInt(), 2);
  EXPECT_TRUE(run.value(QStringLiteral("baseline")).toObject().contains(QStringLiteral("test_accuracy")));
  EXPECT_EQ(run.value(QStringLiteral("per_seed")).toArray().size(), 2);
  EXPECT_TRUE(QFile::exists(dir.filePath(QStringLiteral("twin/run.json"))));
}

TEST_F(ComparisonRunTest, StoppingAComparisonEndsCancelledWithoutAVerdict) {
  load(transferConfig(200));
  window.trainingControls()->setRunOptions({true, 3});
  QSignalSpy batches(window.controller(), &TrainingController::batchTrained);
  QSignalSpy verdicts(window.controller(), &TrainingController::comparisonFinished);
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return batches.count() > 0; }, kRunTimeoutMs));
  window.controller()->stop();
  ASSERT_TRUE(test::wait_until([&] { return !window.controller()->isBusy(); }, 30000));
  EXPECT_EQ(window.controller()->state(), State::Cancelled);
  EXPECT_EQ(verdicts.count(), 0);
  EXPECT_FALSE(window.verdictBanner()->label().has_value());
  EXPECT_TRUE(window.verdictBanner()->text().contains(QStringLiteral("No verdict")));
  // The partial record is still written, as the CLI writes it.
  const QJsonObject run = readJson(QDir(window.controller()->lastRunDir()).filePath(QStringLiteral("run.json")));
  EXPECT_EQ(run.value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
  EXPECT_FALSE(run.contains(QStringLiteral("verdict")));
}

TEST_F(ComparisonRunTest, DriftColumnMovesForTrainedLayersAndStaysZeroForFrozenOnes) {
  load(transferConfig(1));
  QSignalSpy drift(window.controller(), &TrainingController::layerDriftChanged);
  ASSERT_TRUE(runToTheEnd());
  ASSERT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();
  EXPECT_EQ(drift.count(), 1);  // once per epoch

  LayerTreeModel* model = window.layerTreePanel()->model();
  int trained = 0, frozen = 0;
  for (const LayerRow& row : window.session()->layers()) {
    if (row.ownParams == 0) continue;
    const QModelIndex index = model->indexOfPath(row.path, LayerTreeModel::DriftColumn);
    const double value = index.data(LayerTreeModel::DriftRole).toDouble();
    if (row.trainableParams == row.subtreeParams) {
      EXPECT_GT(value, 0.0) << row.path.toStdString();
      EXPECT_FALSE(index.data().toString().isEmpty());
      ++trained;
    } else if (row.trainableParams == 0) {
      EXPECT_EQ(value, 0.0) << row.path.toStdString();
      EXPECT_TRUE(index.data().toString().isEmpty()) << row.path.toStdString();
      ++frozen;
    }
  }
  EXPECT_GT(trained, 0);
  EXPECT_GT(frozen, 0);

  // A new run starts blank again.
  ASSERT_TRUE(window.startTraining());
  EXPECT_FALSE(model->index(0, LayerTreeModel::DriftColumn).data(LayerTreeModel::DriftRole).isValid());
  window.controller()->stopAndWait();
}

TEST_F(ComparisonRunTest, DannRunFeedsLambdaAndDomainAccuracyToItsPanel) {
  QTemporaryDir models;
  ASSERT_TRUE(models.isValid());
  load(QStringLiteral(R"({"name": "dann test", "model": {"pretrained": "%1"},
    "target": {"classes": [0, 1, 2, 3, 4], "shots_per_class": 5, "test_per_class": 20, "seed": 1,
               "shift": {"kind": "inversion", "strength": 1.0}},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "mitigations": {"dann": {"enabled": true, "domain_weight": 1.0}},
    "training": {"epochs": 1, "batch_size": 32, "learning_rate": 0.01, "seed": 1}})")
           .arg(smallSourceCheckpoint(models)));
  QSignalSpy diagnostics(window.controller(), &TrainingController::epochDiagnostics);
  ASSERT_TRUE(runToTheEnd());
  ASSERT_EQ(window.controller()->state(), State::Finished) << window.controller()->lastMessage().toStdString();

  ASSERT_EQ(diagnostics.count(), 1);
  const DannPanel* panel = window.dannPanel();
  EXPECT_FALSE(panel->isHidden());
  ASSERT_EQ(panel->lambdaValues().size(), 1);
  EXPECT_GT(panel->lambdaValues()[0], 0.0);
  EXPECT_LE(panel->lambdaValues()[0], 1.0);
  ASSERT_EQ(panel->domainAccuracyValues().size(), 1);
  EXPECT_GE(panel->domainAccuracyValues()[0], 0.0);
  EXPECT_LE(panel->domainAccuracyValues()[0], 1.0);
}

}  // namespace
}  // namespace tl
