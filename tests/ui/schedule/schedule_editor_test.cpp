#include "schedule/schedule_editor.h"

#include "main_window/step_summary.h"
#include "schedule/schedule_text.h"
#include "support/ui_test_helpers.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

namespace tl {
namespace {

using test::makeSession;

void choose(QComboBox* combo, const char* name) {
  const int index = combo->findData(QString::fromLatin1(name));
  ASSERT_GE(index, 0) << name;
  combo->setCurrentIndex(index);
}

QJsonObject scheduleJson(const ExperimentSession& session) {
  const QJsonObject config = QJsonDocument::fromJson(session.configJson().toUtf8()).object();
  return config.value(QStringLiteral("transfer")).toObject().value(QStringLiteral("schedule")).toObject();
}

TEST(ScheduleEditor, StartsAtNoneAndConstantWithNoKindFieldShown) {
  auto session = makeSession();
  ScheduleEditor editor(session.get());
  EXPECT_EQ(editor.unfreezeCombo()->currentData().toString(), QStringLiteral("none"));
  EXPECT_EQ(editor.lrShapeCombo()->currentData().toString(), QStringLiteral("constant"));
  for (QWidget* field : {static_cast<QWidget*>(editor.unfreezeEverySpin()), static_cast<QWidget*>(editor.headEpochsSpin()),
                         static_cast<QWidget*>(editor.lrMultSpin()), static_cast<QWidget*>(editor.stepEpochsSpin()),
                         static_cast<QWidget*>(editor.gammaSpin()), static_cast<QWidget*>(editor.warmupSpin()),
                         static_cast<QWidget*>(editor.peakRatioSpin())}) {
    EXPECT_FALSE(editor.isFieldShown(field)) << field->toolTip().toStdString();
  }
  EXPECT_TRUE(editor.isFieldShown(editor.layerDecaySpin()));
  EXPECT_EQ(editor.layerDecaySpin()->value(), 1.0);
  EXPECT_TRUE(session->schedule().isDefault());
}

TEST(ScheduleEditor, ChoosingAKindWritesTheSessionAndShowsOnlyItsFields) {
  auto session = makeSession();
  ScheduleEditor editor(session.get());
  QSignalSpy changed(session.get(), &ExperimentSession::scheduleChanged);
  choose(editor.unfreezeCombo(), "gradual");
  EXPECT_EQ(session->schedule().unfreeze, QStringLiteral("gradual"));
  EXPECT_EQ(changed.count(), 1);
  EXPECT_TRUE(editor.isFieldShown(editor.unfreezeEverySpin()));
  EXPECT_FALSE(editor.isFieldShown(editor.headEpochsSpin()));
  editor.unfreezeEverySpin()->setValue(2);
  EXPECT_EQ(session->schedule().unfreezeEvery, 2);
  EXPECT_TRUE(editor.sentence().contains(QStringLiteral("every 2 epochs"))) << editor.sentence().toStdString();

  choose(editor.unfreezeCombo(), "two_phase");
  EXPECT_FALSE(editor.isFieldShown(editor.unfreezeEverySpin()));
  EXPECT_TRUE(editor.isFieldShown(editor.headEpochsSpin()));
  EXPECT_TRUE(editor.isFieldShown(editor.lrMultSpin()));
  editor.lrMultSpin()->setValue(10.0);
  EXPECT_TRUE(editor.sentence().startsWith(QStringLiteral("Head only for 1 epoch, then every trained block, the "
                                                          "lowest at 1/10 of the rate")))
      << editor.sentence().toStdString();

  choose(editor.lrShapeCombo(), "step");
  EXPECT_TRUE(editor.isFieldShown(editor.stepEpochsSpin()));
  EXPECT_TRUE(editor.isFieldShown(editor.gammaSpin()));
  editor.gammaSpin()->setValue(0.5);
  EXPECT_EQ(session->schedule().gamma, 0.5);
  choose(editor.lrShapeCombo(), "one_cycle");
  EXPECT_FALSE(editor.isFieldShown(editor.gammaSpin()));
  EXPECT_TRUE(editor.isFieldShown(editor.warmupSpin()));
  editor.warmupSpin()->setValue(25.0);
  EXPECT_DOUBLE_EQ(session->schedule().warmupFraction, 0.25);
  EXPECT_EQ(session->schedule().lrShape, QStringLiteral("one_cycle"));
}

TEST(ScheduleEditor, LabelsHaveBuddiesSoEveryFieldIsReachableByKeyboard) {
  auto session = makeSession();
  ScheduleEditor editor(session.get());
  int buddies = 0;
  for (QLabel* label : editor.findChildren<QLabel*>()) {
    if (label->buddy()) {
      ++buddies;
      EXPECT_NE(label->buddy()->focusPolicy() & Qt::TabFocus, 0) << label->text().toStdString();
      EXPECT_TRUE(label->text().contains(QLatin1Char('&'))) << label->text().toStdString();
    }
  }
  EXPECT_EQ(buddies, 10);  // every field of every kind
}

TEST(ScheduleEditor, SessionEditsAndLoadedConfigsShowInTheEditor) {
  auto session = makeSession();
  ScheduleEditor editor(session.get());
  ScheduleSettings s;
  s.unfreeze = QStringLiteral("two_phase");
  s.headEpochs = 2;
  s.lrShape = QStringLiteral("cosine");
  QString error;
  ASSERT_TRUE(session->setSchedule(s, &error)) << error.toStdString();
  EXPECT_EQ(editor.unfreezeCombo()->currentData().toString(), QStringLiteral("two_phase"));
  EXPECT_EQ(editor.headEpochsSpin()->value(), 2);
  EXPECT_EQ(editor.lrShapeCombo()->currentData().toString(), QStringLiteral("cosine"));

  ASSERT_TRUE(session->setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  EXPECT_EQ(editor.unfreezeCombo()->currentData().toString(), QStringLiteral("none"));
  EXPECT_EQ(editor.lrShapeCombo()->currentData().toString(), QStringLiteral("constant"));
}

// The CLI config saved from the window has the editor's transfer.schedule, and
// a preset file with one loads back into the editor.
TEST(ScheduleEditor, ThePresetFileRoundTripsTheSchedule) {
  auto session = makeSession();
  session->setEpochs(6);
  ScheduleEditor editor(session.get());
  choose(editor.unfreezeCombo(), "gradual");
  editor.unfreezeEverySpin()->setValue(2);
  editor.layerDecaySpin()->setValue(0.385);
  choose(editor.lrShapeCombo(), "cosine");
  const QJsonObject json = scheduleJson(*session);
  EXPECT_EQ(json.value(QStringLiteral("unfreeze")).toString(), QStringLiteral("gradual"));
  EXPECT_EQ(json.value(QStringLiteral("unfreeze_every")).toInt(), 2);
  EXPECT_DOUBLE_EQ(json.value(QStringLiteral("layer_decay")).toDouble(), 0.385);
  EXPECT_EQ(json.value(QStringLiteral("lr")).toObject().value(QStringLiteral("shape")).toString(),
            QStringLiteral("cosine"));

  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString path = dir.filePath(QStringLiteral("scheduled.json"));
  QString error;
  ASSERT_TRUE(session->saveConfigFile(path, &error)) << error.toStdString();
  auto loaded = makeSession();
  ScheduleEditor reloaded(loaded.get());
  ASSERT_TRUE(loaded->loadConfigFile(path, &error)) << error.toStdString();
  EXPECT_EQ(loaded->schedule(), session->schedule());
  EXPECT_EQ(reloaded.unfreezeCombo()->currentData().toString(), QStringLiteral("gradual"));
  EXPECT_EQ(reloaded.unfreezeEverySpin()->value(), 2);
  EXPECT_DOUBLE_EQ(reloaded.layerDecaySpin()->value(), 0.385);
  EXPECT_EQ(reloaded.lrShapeCombo()->currentData().toString(), QStringLiteral("cosine"));
  EXPECT_EQ(reloaded.sentence(), editor.sentence());
}

TEST(ScheduleSession, RefusesWhatTheConfigRefusesNamingTheField) {
  auto session = makeSession();
  ScheduleSettings s;
  s.unfreeze = QStringLiteral("gradual");
  s.unfreezeEvery = 0;
  QString error;
  EXPECT_FALSE(session->setSchedule(s, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("transfer.schedule.unfreeze_every"))) << error.toStdString();
  EXPECT_TRUE(session->schedule().isDefault());
  s = ScheduleSettings{};
  s.unfreeze = QStringLiteral("sometimes");
  EXPECT_FALSE(session->setSchedule(s, &error));
  EXPECT_TRUE(session->schedule().isDefault());
}

TEST(ScheduleSession, TheStrategyStepSummaryNamesTheSchedule) {
  auto session = makeSession();
  EXPECT_FALSE(strategyStepSummary(*session).contains(QStringLiteral("unfreezing")));
  ScheduleSettings s;
  s.unfreeze = QStringLiteral("gradual");
  s.lrShape = QStringLiteral("one_cycle");
  ASSERT_TRUE(session->setSchedule(s));
  EXPECT_TRUE(strategyStepSummary(*session).endsWith(QStringLiteral("; gradual unfreezing every epoch, one-cycle LR")))
      << strategyStepSummary(*session).toStdString();
}

TEST(ScheduleSession, SentencesSayWhatEachKindDoes) {
  ScheduleSettings s;
  EXPECT_EQ(scheduleSentence(s),
            QStringLiteral("The plan's blocks train from the first epoch; the learning rate stays constant."));
  EXPECT_EQ(scheduleSummary(s), QString());
  s.unfreeze = QStringLiteral("gradual");
  s.unfreezeEvery = 3;
  s.layerDecay = 0.5;
  s.lrShape = QStringLiteral("step");
  s.stepEpochs = 2;
  EXPECT_EQ(scheduleSentence(s),
            QStringLiteral("Head only in the first 3 epochs, then one more block thaws from the top every 3 epochs; "
                           "each block trains at 0.5× the rate of the block above it; the learning rate is "
                           "multiplied by 0.1 every 2 epochs."));
}

TEST(ScheduleSession, AScheduledPlanChangeIsAShortMarker) {
  EXPECT_EQ(planChangeMarkerLabel(QStringLiteral("schedule: unfrozen: features.2.0, features.2.1")),
            QStringLiteral("thaw features.2"));
  EXPECT_EQ(planChangeMarkerLabel(QStringLiteral("schedule: unfrozen: layer3")), QStringLiteral("thaw layer3"));
  EXPECT_EQ(planChangeMarkerLabel(QStringLiteral("schedule: unfrozen: conv1, layer1.0; frozen: fc")),
            QStringLiteral("thaw conv1 …, freeze fc"));
  EXPECT_EQ(planChangeMarkerLabel(QStringLiteral("schedule: learning-rate multipliers changed")),
            QStringLiteral("new LR ×"));
  // A change made in the tree keeps its full details.
  EXPECT_EQ(planChangeMarkerLabel(QStringLiteral("unfrozen: features.2.0")), QStringLiteral("unfrozen: features.2.0"));
}

}  // namespace
}  // namespace tl
