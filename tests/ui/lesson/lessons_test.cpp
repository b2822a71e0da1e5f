// The Lessons menu (every built-in preset, two clicks away) and the lesson
// panel over the curves (what the loaded preset teaches and what it measured).

#include "experiment/presets.h"
#include "lesson/lesson_panel.h"
#include "main_window/main_window.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "support/batch_window.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>

#include <algorithm>

namespace tl {
namespace {

/// The menu's preset entries (the disabled notes about unreadable files have no path).
QList<QAction*> presetEntries(const MainWindow& window) {
  QList<QAction*> entries;
  for (QAction* action : window.lessonsMenu()->actions()) {
    if (!action->data().toString().isEmpty()) entries << action;
  }
  return entries;
}

/// Whether the preset's model can be prepared here: a built-in checkpoint
/// that is not built yet cannot be loaded (the session reports it instead).
bool loadableHere(const Preset& preset) {
  const std::string& pretrained = preset.config.model.pretrained;
  if (pretrained.empty()) return true;
  const auto models = builtin_models();
  return std::any_of(models.begin(), models.end(), [&](const auto& m) { return m.name == pretrained; });
}

QJsonDocument parsed(const QString& json) { return QJsonDocument::fromJson(json.toUtf8()); }

/// The untrained test config with top-level keys added: needs no checkpoint and no data.
QString configWith(const QString& extraKeys) {
  QString json = test::untrainedConfigJson();
  json.chop(1);  // the closing brace
  return extraKeys.isEmpty() ? json + QLatin1Char('}') : json + QStringLiteral(", ") + extraKeys + QLatin1Char('}');
}

const QString kLessonKeys = QStringLiteral(R"("lesson": "Frozen edges & textures carry over.",
  "expected": {"verdict": "positive", "baseline": "scratch twin", "transfer_accuracy": 0.783,
               "baseline_accuracy": 0.551, "gap": 23.2, "std": 3.0, "seeds": 3, "seconds_per_seed": 41.6,
               "measured": "test fixture"})");

class LessonsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::isolateSettings();
  }

  void SetUp() override {
    ASSERT_TRUE(dir.isValid());
    test::makeBatchWindow(window, dir.filePath(QStringLiteral("runs")));
  }

  /// Writes `json` as a preset file in the test's folder and returns its path.
  QString writePreset(const QString& name, const QString& json) {
    const QString path = dir.filePath(name + QStringLiteral(".json"));
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(json.toUtf8());
    return path;
  }

  QTemporaryDir dir;
  MainWindow window;
};

TEST_F(LessonsTest, MenuListsEveryBuiltinPresetInOrderAfterFile) {
  const std::vector<Preset> presets = builtin_presets();
  ASSERT_GE(presets.size(), 1u) << "resources/presets/default.json at least";
  const QList<QAction*> menus = window.menuBar()->actions();
  ASSERT_GE(menus.size(), 2);
  EXPECT_EQ(menus[1]->menu(), window.lessonsMenu()) << "Lessons comes right after File";

  const QList<QAction*> entries = presetEntries(window);
  ASSERT_EQ(entries.size(), static_cast<int>(presets.size()));
  for (int i = 0; i < entries.size(); ++i) {
    const Preset& preset = presets[static_cast<size_t>(i)];
    EXPECT_EQ(entries[i]->text().replace(QStringLiteral("&&"), QStringLiteral("&")),
              QString::fromStdString(preset.config.name));
    EXPECT_EQ(entries[i]->statusTip(), QString::fromStdString(preset.config.description));
    EXPECT_EQ(entries[i]->data().toString(), QString::fromStdString(preset.path));
    const QKeySequence expected = i < 9 ? QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)) : QKeySequence();
    EXPECT_EQ(entries[i]->shortcut(), expected) << "entry " << i;
  }
}

TEST_F(LessonsTest, ChoosingAnEntryLoadsItsConfigIntoTheSession) {
  const std::vector<Preset> presets = builtin_presets();
  const QList<QAction*> entries = presetEntries(window);
  ASSERT_EQ(entries.size(), static_cast<int>(presets.size()));
  int loaded = 0;
  // Last first, so the session moves away from the default it starts with.
  for (int i = entries.size() - 1; i >= 0; --i) {
    const Preset& preset = presets[static_cast<size_t>(i)];
    if (!loadableHere(preset)) continue;
    window.session()->setEpochs(97);  // an edit each load must replace
    QSignalSpy loads(window.session(), &ExperimentSession::configLoaded);
    entries[i]->trigger();
    ASSERT_EQ(loads.count(), 1) << preset.path;
    EXPECT_EQ(window.session()->experimentName(), QString::fromStdString(preset.config.name));
    EXPECT_EQ(parsed(window.session()->configJson()),
              parsed(QString::fromStdString(config_to_json(preset.config).dump())))
        << preset.path;
    ++loaded;
  }
  if (loaded == 0) GTEST_SKIP() << "no built-in preset's checkpoint is built";
}

TEST_F(LessonsTest, PresetsCannotBeOpenedWhileARunIsBusy) {
  const QList<QAction*> entries = presetEntries(window);
  ASSERT_FALSE(entries.isEmpty());
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(
      QStringLiteral(R"({"name": "busy", "model": {"architecture": "small_cnn"},
        "target": {"classes": [0, 1, 2], "shots_per_class": 100, "test_per_class": 50},
        "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
        "training": {"epochs": 200, "batch_size": 32, "learning_rate": 0.01, "seed": 2}})"),
      &error))
      << error.toStdString();
  QSignalSpy batches(window.controller(), &TrainingController::batchTrained);
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return batches.count() > 0; }, 180000));

  EXPECT_FALSE(entries.front()->isEnabled());
  EXPECT_FALSE(window.loadPreset(entries.front()->data().toString(), &error));
  EXPECT_FALSE(error.isEmpty());
  EXPECT_EQ(window.session()->experimentName(), QStringLiteral("busy"));

  window.controller()->stopAndWait();
  ASSERT_TRUE(test::wait_until([&] { return entries.front()->isEnabled(); }, 10000));
}

TEST_F(LessonsTest, PanelShowsTheLessonAndTheMeasuredOutcome) {
  const QString path = writePreset(QStringLiteral("with-lesson"), configWith(kLessonKeys));
  QString error;
  ASSERT_TRUE(window.loadPreset(path, &error)) << error.toStdString();

  LessonPanel* panel = window.lessonPanel();
  EXPECT_TRUE(panel->isVisibleTo(&window));
  const QString text = panel->text();
  EXPECT_TRUE(text.startsWith(QStringLiteral("ui test — Frozen edges & textures carry over."))) << text.toStdString();
  EXPECT_TRUE(text.contains(
      QStringLiteral("Measured: positive: transfer 78.3% vs scratch twin 55.1%, +23.2 ± 3.0 points over 3 seeds "
                     "(~42 s per seed with its twin)")))
      << text.toStdString();
}

TEST_F(LessonsTest, PanelHidesForAConfigWithoutALesson) {
  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("with-lesson"), configWith(kLessonKeys))));
  ASSERT_TRUE(window.lessonPanel()->isVisibleTo(&window));

  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("plain"), configWith(QString()))));
  EXPECT_FALSE(window.lessonPanel()->isVisibleTo(&window));
  EXPECT_TRUE(window.lessonPanel()->text().isEmpty());

  // A restored session (JSON text) with only a lesson: shown, without a measured line.
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(configWith(QStringLiteral(R"("lesson": "Only words.")")), &error))
      << error.toStdString();
  EXPECT_TRUE(window.lessonPanel()->isVisibleTo(&window));
  EXPECT_EQ(window.lessonPanel()->text(), QStringLiteral("ui test — Only words."));
}

TEST_F(LessonsTest, ClosedPanelStaysClosedUntilTheNextLoad) {
  const QString path = writePreset(QStringLiteral("with-lesson"), configWith(kLessonKeys));
  ASSERT_TRUE(window.loadPreset(path));
  window.lessonPanel()->closeButton()->click();
  EXPECT_FALSE(window.lessonPanel()->isVisibleTo(&window));

  window.session()->setEpochs(3);  // an edit is not a new lesson
  EXPECT_FALSE(window.lessonPanel()->isVisibleTo(&window));

  ASSERT_TRUE(window.loadPreset(path));
  EXPECT_TRUE(window.lessonPanel()->isVisibleTo(&window));
}

TEST_F(LessonsTest, MalformedExpectedSectionIsRefusedAndTheOldConfigStays) {
  const QString before = window.session()->configJson();
  const QString path = writePreset(QStringLiteral("bad"), configWith(QStringLiteral(R"("expected": {"verdict": "great"})")));
  QString error;
  EXPECT_FALSE(window.loadPreset(path, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("expected.verdict"))) << error.toStdString();
  EXPECT_EQ(window.session()->configJson(), before);
}

}  // namespace
}  // namespace tl
