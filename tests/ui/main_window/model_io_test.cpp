// Models in and out of the GUI: remembered checkpoints and measured training
// costs in the model picker, File → Import weights…, File → Export model….
#include "data/idx_reader.h"
#include "main_window/main_window.h"
#include "main_window/model_export_files.h"
#include "models/model_zoo.h"
#include "panels/cost_probe_runner.h"
#include "panels/import_weights_dialog.h"
#include "panels/model_picker.h"
#include "session/experiment_session.h"
#include "weights/checkpoint.h"
#include "weights/safetensors.h"
#include "support/batch_window.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace tl {
namespace {

constexpr int kTimeoutMs = 180000;

class ModelIoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  void SetUp() override {
    QSettings().remove(QStringLiteral("models"));
    QSettings().remove(QStringLiteral("costProbe"));
    ASSERT_TRUE(dir.isValid());
  }

  /// A small_cnn checkpoint with three classes, as `transferlab-cli pretrain` writes one.
  QString writeCheckpoint(const QString& name) {
    Checkpoint c;
    c.metadata.architecture = "small_cnn";
    c.metadata.class_names = {"a", "b", "c"};
    c.metadata.normalization_mean = {0.5};
    c.metadata.normalization_std = {0.25};
    c.tensors = state_dict(*make_model("small_cnn", 3));
    const QString path = dir.filePath(name);
    save_checkpoint(c, path.toStdString());
    return path;
  }

  /// A torchvision-style state dict of resnet18 with a 10-class head.
  QString writeStateDict(const QString& name) {
    SafetensorsContents contents;
    contents.tensors = state_dict(*make_model("resnet18", 10, InputShape{3, 224, 224}));
    const QString path = dir.filePath(name);
    write_safetensors(contents, path.toStdString());
    return path;
  }

  QTemporaryDir dir;
};

TEST_F(ModelIoTest, AnOpenedCheckpointIsRememberedByTheNextPicker) {
  const QString path = writeCheckpoint(QStringLiteral("mine.safetensors"));
  {
    auto session = test::makeSession();
    ModelPicker picker(session.get());
    ASSERT_TRUE(picker.openCheckpoint(path));
  }
  EXPECT_EQ(ModelPicker::rememberedModels(), QStringList{path});
  auto session = test::makeSession();
  ModelPicker picker(session.get());
  const int index = picker.combo()->findData(path);
  ASSERT_GE(index, 0);
  EXPECT_EQ(picker.combo()->itemText(index), QStringLiteral("mine.safetensors"));
}

TEST_F(ModelIoTest, ARememberedFileThatWasDeletedIsNotListed) {
  const QString path = writeCheckpoint(QStringLiteral("gone.safetensors"));
  auto session = test::makeSession();
  ModelPicker picker(session.get());
  picker.rememberModel(path);
  ASSERT_TRUE(QFile::remove(path));
  EXPECT_TRUE(ModelPicker::rememberedModels().isEmpty());
  ModelPicker next(session.get());
  EXPECT_LT(next.combo()->findData(path), 0);
}

TEST_F(ModelIoTest, MeasuredCostIsShownAndCachedPerBatchSize) {
  auto session = test::makeSession();
  session->setBatchSize(16);
  ModelPicker picker(session.get());
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("Training cost: not measured for batch size 16")))
      << picker.detailsText().toStdString();

  QSignalSpy measured(picker.costProbe(), &CostProbeRunner::measured);
  picker.measureButton()->click();
  EXPECT_FALSE(picker.measureButton()->isEnabled());
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("measuring")));
  ASSERT_TRUE(test::wait_until([&] { return measured.count() == 1; }, kTimeoutMs));
  const auto estimate = measured.front().at(1).value<CostEstimate>();
  EXPECT_GT(estimate.peakBytes, 0);
  EXPECT_GT(estimate.secondsPerBatch, 0.0);
  EXPECT_EQ(estimate.batchSize, 16);
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("peak memory")) &&
              picker.detailsText().contains(QStringLiteral("per batch of 16")))
      << picker.detailsText().toStdString();
  EXPECT_TRUE(picker.measureButton()->isEnabled());

  // Cached: another picker shows it at once; another batch size is not measured yet.
  ModelPicker again(session.get());
  EXPECT_TRUE(again.detailsText().contains(QStringLiteral("per batch of 16"))) << again.detailsText().toStdString();
  EXPECT_EQ(CostProbeRunner::cached(again.probeTarget())->peakBytes, estimate.peakBytes);
  session->setBatchSize(8);
  EXPECT_TRUE(again.detailsText().contains(QStringLiteral("not measured for batch size 8")));
}

TEST_F(ModelIoTest, ImportDialogSavesTheCheckpointAndShowsTheReport) {
  const QString file = writeStateDict(QStringLiteral("r18.safetensors"));
  ImportWeightsDialog dialog;
  dialog.fileEdit()->setText(file);
  dialog.architectureCombo()->setCurrentText(QStringLiteral("resnet18"));
  QSignalSpy imported(&dialog, &ImportWeightsDialog::imported);
  ASSERT_TRUE(dialog.startImport());
  EXPECT_FALSE(dialog.importButton()->isEnabled());
  EXPECT_FALSE(dialog.startImport());  // one import at a time
  ASSERT_TRUE(test::wait_until([&] { return imported.count() == 1; }, kTimeoutMs));
  const QString checkpoint = imported.front().front().toString();
  EXPECT_EQ(QFileInfo(checkpoint).absolutePath(), QDir(ImportWeightsDialog::modelsDirectory()).absolutePath());
  EXPECT_EQ(load_checkpoint(checkpoint.toStdString()).metadata.class_names.size(), 10u);
  const QString report = dialog.reportView()->toPlainText();
  EXPECT_TRUE(report.contains(QStringLiteral("Missing (0): none"))) << report.toStdString();
  EXPECT_TRUE(report.contains(QStringLiteral("Unexpected (0): none"))) << report.toStdString();
  EXPECT_TRUE(report.contains(QStringLiteral("Loaded (")) && report.contains(QStringLiteral("layer4.1.bn2.weight")))
      << report.toStdString();
  EXPECT_TRUE(dialog.importButton()->isEnabled());
}

TEST_F(ModelIoTest, ImportOfTheWrongArchitectureIsRefusedWithTheReason) {
  const QString file = writeStateDict(QStringLiteral("r18.safetensors"));
  ImportWeightsDialog dialog;
  dialog.fileEdit()->setText(file);
  dialog.architectureCombo()->setCurrentText(QStringLiteral("mobilenet_v2"));
  QSignalSpy failed(&dialog, &ImportWeightsDialog::importFailed);
  ASSERT_TRUE(dialog.startImport());
  ASSERT_TRUE(test::wait_until([&] { return failed.count() == 1; }, kTimeoutMs));
  EXPECT_TRUE(failed.front().front().toString().startsWith(file)) << failed.front().front().toString().toStdString();
  EXPECT_TRUE(dialog.reportView()->toPlainText().startsWith(QStringLiteral("Not imported: ")));
}

TEST_F(ModelIoTest, ImportFromTheWindowLoadsTheModelAndTheLayerTreeFollows) {
  QTemporaryDir runs;
  MainWindow window;
  test::makeBatchWindow(window, runs.path());
  ImportWeightsDialog* dialog = window.showImportWeightsDialog();
  dialog->fileEdit()->setText(writeStateDict(QStringLiteral("r18.safetensors")));
  dialog->architectureCombo()->setCurrentText(QStringLiteral("resnet18"));
  QSignalSpy imported(dialog, &ImportWeightsDialog::imported);
  ASSERT_TRUE(dialog->startImport());
  ASSERT_TRUE(test::wait_until([&] { return imported.count() == 1; }, kTimeoutMs));
  const QString checkpoint = imported.front().front().toString();
  EXPECT_EQ(window.session()->modelId(), checkpoint);
  EXPECT_EQ(window.session()->modelInfo().architecture, QStringLiteral("resnet18"));
  EXPECT_TRUE(ModelPicker::rememberedModels().contains(checkpoint));
}

TEST_F(ModelIoTest, ExportIsEnabledAfterARunAndCopiesTheModelWithItsMetadata) {
  if (!QFileInfo::exists(QDir(QString::fromStdString(default_fashion_mnist_dir())).filePath(QStringLiteral("train-labels-idx1-ubyte.gz")))) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  QTemporaryDir runs;
  MainWindow window;
  test::makeBatchWindow(window, runs.path());
  EXPECT_FALSE(window.exportModelAction()->isEnabled());
  EXPECT_EQ(window.exportModelAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  ASSERT_TRUE(window.startTraining());
  EXPECT_FALSE(window.exportModelAction()->isEnabled());
  ASSERT_TRUE(test::wait_until([&] { return !window.controller()->isBusy(); }, kTimeoutMs));
  ASSERT_EQ(window.controller()->state(), TrainingController::State::Finished)
      << window.controller()->lastMessage().toStdString();
  EXPECT_TRUE(window.exportModelAction()->isEnabled());

  const QString target = dir.filePath(QStringLiteral("exported.safetensors"));
  ASSERT_TRUE(window.exportModelTo(target, &error)) << error.toStdString();
  const Checkpoint exported = load_checkpoint(target.toStdString());
  EXPECT_EQ(exported.metadata.architecture, "small_cnn");
  EXPECT_EQ(exported.metadata.class_names.size(), 5u);
  EXPECT_TRUE(exported.metadata.extra.contains("freeze_plan"));
  EXPECT_TRUE(QFileInfo::exists(dir.filePath(QStringLiteral("exported.json"))));
  EXPECT_EQ(model_from_checkpoint(exported)->num_classes(), 5);
}

TEST(ModelExportFiles, ARunWithoutAModelHasNothingToExport) {
  QTemporaryDir run;
  QString error;
  EXPECT_TRUE(exportedModelIn(run.path()).isEmpty());
  EXPECT_FALSE(copyExportedModel(run.path(), run.filePath(QStringLiteral("x.safetensors")), &error));
  EXPECT_EQ(error, run.path() + QStringLiteral(" holds no trained model to export"));
  EXPECT_EQ(metadataPathFor(QStringLiteral("/a/b.safetensors")), QStringLiteral("/a/b.json"));
}

}  // namespace
}  // namespace tl
