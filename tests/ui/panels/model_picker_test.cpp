#include "panels/model_picker.h"

#include "panels/cost_probe_runner.h"
#include "support/ui_test_helpers.h"
#include "tasks/task_progress_bar.h"

#include <QComboBox>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace tl {
namespace {

using test::makeSession;

TEST(ModelPicker, ABrokenCheckpointReportsAndKeepsThePreviousModel) {
  auto session = makeSession();
  ModelPicker picker(session.get());
  const QString before = session->modelId();
  const QString detailsBefore = picker.detailsText();
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("empty.safetensors"));
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.close();
  QSignalSpy failed(&picker, &ModelPicker::loadFailed);

  EXPECT_FALSE(picker.openCheckpoint(path));
  ASSERT_EQ(failed.count(), 1);
  EXPECT_TRUE(failed.front().front().toString().contains(path));
  EXPECT_EQ(session->modelId(), before);
  EXPECT_EQ(picker.combo()->currentData().toString(), before);
  EXPECT_EQ(picker.detailsText(), detailsBefore);
}

TEST(ModelPicker, ChoosingFromTheComboLoadsTheModelAndShowsItsDetails) {
  auto session = makeSession();
  ModelPicker picker(session.get());
  const int resnet = picker.combo()->findData(QStringLiteral("resnet_narrow"));
  ASSERT_GE(resnet, 0);
  picker.combo()->setCurrentIndex(resnet);
  Q_EMIT picker.combo()->activated(resnet);
  EXPECT_EQ(session->modelInfo().architecture, QStringLiteral("resnet_narrow"));
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("Architecture: resnet_narrow")))
      << picker.detailsText().toStdString();
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("Input size: 1×28×28")));
}

TEST(ModelPicker, ListsEveryBuiltInCheckpoint) {
  auto session = makeSession();
  ModelPicker picker(session.get());
  for (const auto& m : builtin_models()) {
    EXPECT_GE(picker.combo()->findData(QString::fromStdString(m.name)), 0) << m.name;
  }
}

TEST(ModelPicker, CancellingTheCostProbeReturnsToIdleAndMeasuresNothing) {
  auto session = makeSession();
  session->setBatchSize(7);
  ModelPicker picker(session.get());
  QSettings().remove(picker.probeTarget().settingsKey());
  QSignalSpy measured(picker.costProbe(), &CostProbeRunner::measured);
  QSignalSpy cancelled(picker.costProbe(), &CostProbeRunner::cancelled);
  picker.measureButton()->click();
  ASSERT_TRUE(picker.costProbe()->isBusy());
  ASSERT_TRUE(picker.costProgress()->isVisibleTo(&picker));

  picker.costProgress()->cancelButton()->click();
  EXPECT_FALSE(picker.costProbe()->isBusy());
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_TRUE(picker.measureButton()->isEnabled());
  EXPECT_FALSE(picker.costProgress()->isVisibleTo(&picker));
  EXPECT_TRUE(picker.detailsText().contains(QStringLiteral("not measured for batch size 7")))
      << picker.detailsText().toStdString();
  EXPECT_EQ(measured.count(), 0);
  EXPECT_FALSE(CostProbeRunner::cached(picker.probeTarget()).has_value());
}

}  // namespace
}  // namespace tl
