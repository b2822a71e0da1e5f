#include "layer_tree/layer_tree_model.h"
#include "mitigations/mitigations_panel.h"
#include "session/experiment_session.h"
#include "support/ui_test_helpers.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSpinBox>

#include <memory>

namespace tl {
namespace {

/// The session on the first built-in checkpoint: every mitigation needs a pretrained model.
std::unique_ptr<ExperimentSession> pretrainedSession() {
  if (builtin_models().empty()) return nullptr;
  return test::makeSession();
}

QJsonObject mitigationsJson(const ExperimentSession& session) {
  return QJsonDocument::fromJson(session.configJson().toUtf8()).object().value(QStringLiteral("mitigations")).toObject();
}

TEST(MitigationsPanel, WidgetsWriteTheConfigFields) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());

  panel.l2spBox()->setChecked(true);
  panel.alphaBox()->setValue(0.5);
  panel.betaBox()->setValue(0.25);
  panel.multitaskBox()->setChecked(true);
  panel.sourceWeightBox()->setValue(2.0);

  const QJsonObject m = mitigationsJson(*session);
  const QJsonObject l2sp = m.value(QStringLiteral("l2sp")).toObject();
  EXPECT_TRUE(l2sp.value(QStringLiteral("enabled")).toBool());
  EXPECT_DOUBLE_EQ(l2sp.value(QStringLiteral("alpha")).toDouble(), 0.5);
  EXPECT_DOUBLE_EQ(l2sp.value(QStringLiteral("beta")).toDouble(), 0.25);
  const QJsonObject multitask = m.value(QStringLiteral("multitask")).toObject();
  EXPECT_TRUE(multitask.value(QStringLiteral("enabled")).toBool());
  EXPECT_DOUBLE_EQ(multitask.value(QStringLiteral("source_weight")).toDouble(), 2.0);

  panel.multitaskBox()->setChecked(false);
  panel.dannBox()->setChecked(true);
  panel.domainWeightBox()->setValue(0.3);
  const QJsonObject dann = mitigationsJson(*session).value(QStringLiteral("dann")).toObject();
  EXPECT_TRUE(dann.value(QStringLiteral("enabled")).toBool());
  EXPECT_DOUBLE_EQ(dann.value(QStringLiteral("domain_weight")).toDouble(), 0.3);
}

TEST(MitigationsPanel, AlphaCannotGoBelowZero) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());
  panel.l2spBox()->setChecked(true);
  panel.alphaBox()->setValue(-1.0);
  EXPECT_DOUBLE_EQ(session->mitigations().l2spAlpha, 0.0);
  MitigationSettings s = session->mitigations();
  s.l2spAlpha = -3.0;  // the session clamps what a caller other than the panel sends
  ASSERT_TRUE(session->setMitigations(s));
  EXPECT_DOUBLE_EQ(session->mitigations().l2spAlpha, 0.0);
}

TEST(MitigationsPanel, ExclusivePairsGreyEachOtherOut) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());
  EXPECT_FALSE(panel.alphaBox()->isEnabled());  // L2-SP off: its weights wait
  panel.dannBox()->setChecked(true);
  EXPECT_FALSE(panel.multitaskBox()->isEnabled());
  panel.l2spBox()->setChecked(true);
  EXPECT_TRUE(panel.alphaBox()->isEnabled());
  EXPECT_FALSE(panel.progressiveBox()->isEnabled());
}

TEST(MitigationsPanel, ProgressiveRebuildsTheTreeWithBothColumns) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());
  LayerTreeModel model(session.get());
  ASSERT_FALSE(model.indexOfPath(QStringLiteral("source")).isValid());

  panel.progressiveBox()->setChecked(true);
  EXPECT_TRUE(session->mitigations().progressive);
  EXPECT_EQ(session->strategyName(), QStringLiteral("full_fine_tuning"));  // the new column trains in full
  const QModelIndex source = model.indexOfPath(QStringLiteral("source"));
  const QModelIndex target = model.indexOfPath(QStringLiteral("target"));
  ASSERT_TRUE(source.isValid());
  ASSERT_TRUE(target.isValid());
  EXPECT_FALSE(model.isTrainable(source));  // the pretrained column is frozen
  EXPECT_TRUE(model.isTrainable(target));

  panel.progressiveBox()->setChecked(false);
  EXPECT_FALSE(model.indexOfPath(QStringLiteral("source")).isValid());
}

TEST(MitigationsPanel, SavedConfigReloadsWithTheSameMitigations) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());
  panel.l2spBox()->setChecked(true);
  panel.alphaBox()->setValue(0.07);
  panel.multitaskBox()->setChecked(true);

  ExperimentSession reloaded;
  QString error;
  ASSERT_TRUE(reloaded.setConfigJson(session->configJson(), &error)) << error.toStdString();
  EXPECT_TRUE(reloaded.mitigations() == session->mitigations());
  MitigationsPanel shown(&reloaded);
  EXPECT_TRUE(shown.l2spBox()->isChecked());
  EXPECT_DOUBLE_EQ(shown.alphaBox()->value(), 0.07);
  EXPECT_TRUE(shown.multitaskBox()->isChecked());
}

TEST(MitigationsPanel, SourcePerClassWritesItsFieldAndWaitsForDannOrMultitask) {
  auto session = pretrainedSession();
  if (!session) GTEST_SKIP() << "no built-in checkpoint";
  MitigationsPanel panel(session.get());
  QSpinBox* perClass = panel.sourcePerClassBox();
  EXPECT_FALSE(perClass->isEnabled());  // nothing trains on source images yet

  panel.dannBox()->setChecked(true);
  EXPECT_TRUE(perClass->isEnabled());
  perClass->setValue(300);
  EXPECT_EQ(mitigationsJson(*session).value(QStringLiteral("source_per_class")).toInt(), 300);
  EXPECT_EQ(session->mitigations().sourcePerClass, 300);

  panel.dannBox()->setChecked(false);
  EXPECT_FALSE(perClass->isEnabled());
  EXPECT_EQ(session->mitigations().sourcePerClass, 300);  // kept for the next DANN or multi-task run
  panel.multitaskBox()->setChecked(true);
  EXPECT_TRUE(perClass->isEnabled());

  perClass->setValue(0);  // 0 = every source image
  EXPECT_EQ(perClass->text(), QStringLiteral("all"));
  EXPECT_EQ(mitigationsJson(*session).value(QStringLiteral("source_per_class")).toInt(-1), 0);

  MitigationSettings s = session->mitigations();
  s.sourcePerClass = 120;  // from elsewhere, e.g. a loaded preset: the box follows
  ASSERT_TRUE(session->setMitigations(s));
  EXPECT_EQ(perClass->value(), 120);
}

TEST(MitigationsPanel, UntrainedModelDisablesEveryMitigation) {
  ExperimentSession session;
  QString error;
  ASSERT_TRUE(session.setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  MitigationsPanel panel(&session);
  for (QCheckBox* box : {panel.l2spBox(), panel.dannBox(), panel.multitaskBox(), panel.progressiveBox()}) {
    EXPECT_FALSE(box->isEnabled()) << box->objectName().toStdString();
  }
}

}  // namespace
}  // namespace tl
