// The Lessons menu (every built-in preset, two clicks away) and the lesson
// bar over the curves (the preset's guided lesson, step by step).

#include "experiment/presets.h"
#include "lesson/highlight_frame.h"
#include "lesson/lesson_bar.h"
#include "lesson/window_parts.h"
#include "analysis/analysis_view.h"
#include "layer_tree/layer_tree_panel.h"
#include "main_window/setup_steps.h"
#include "main_window/training_controls.h"
#include "mitigations/mitigations_panel.h"
#include "panels/strategy_panel.h"
#include "plot/loss_plot.h"
#include "verdict/verdict_summary.h"
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
#include <QJsonArray>
#include <QJsonObject>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>

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

const QString kExpectedKeys = QStringLiteral(R"("expected": {"verdict": "positive", "baseline": "scratch twin", "transfer_accuracy": 0.783,
               "baseline_accuracy": 0.551, "gap": 23.2, "std": 3.0, "seeds": 3, "seconds_per_seed": 41.6,
               "measured": "test fixture"})");
const QString kLessonKeys = QStringLiteral(R"("lesson": "Frozen edges & textures carry over.", )") + kExpectedKeys;

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
    EXPECT_EQ(window.lessonBar()->isRunning(), !preset.lesson.empty()) << preset.path;
    if (window.lessonBar()->stepCount() > 1) {  // opened again mid-lesson, it starts over
      window.lessonBar()->next();
      entries[i]->trigger();
    }
    EXPECT_EQ(window.lessonBar()->step(), 0) << preset.path;
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

/// Three steps over parts of the window: the first locks and hides, the
/// second asks, the third reveals; no checkpoint or data needed.
const QString kStepsKeys = QStringLiteral(R"("steps": [
    {"text": "Frozen layers are grey.", "target": "layer_tree", "lock": ["strategy", "seeds"], "hide": ["mitigations"]},
    {"text": "The twin learns from scratch.", "target": "analysis_tab", "lock": ["twin"], "hide": ["model_step"],
     "question": {"text": "Will transfer help?", "choices": [{"text": "yes", "verdict": "positive"},
                                                           {"text": "no", "verdict": "negative"},
                                                           {"text": "can't tell", "verdict": "inconclusive"}]}},
    {"text": "Train it.", "target": "curves", "reveal": "Transfer won by 23 points."}], )") + kExpectedKeys;

VerdictSummary verdict(VerdictLabel label) {
  VerdictSummary summary;
  summary.label = label;
  summary.seeds = 3;
  return summary;
}

class LessonBarTest : public LessonsTest {
 protected:
  void SetUp() override {
    LessonsTest::SetUp();
    window.resize(1024, 640);
    window.show();
    QString error;
    ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("steps"), configWith(kStepsKeys)), &error))
        << error.toStdString();
    ASSERT_TRUE(bar()->isRunning());
  }

  LessonBar* bar() { return window.lessonBar(); }
  QWidget* strategy() { return window.findChild<StrategyPanel*>(); }
  QWidget* seeds() { return window.trainingControls()->seedsBox(); }
  QWidget* twin() { return window.trainingControls()->twinBox(); }
  QWidget* mitigations() { return window.mitigationsPanel(); }
  bool modelTabShown() {
    QTabWidget* tabs = window.setupSteps()->tabs();
    return tabs->isTabVisible(tabs->indexOf(window.setupSteps()->stepArea(SetupStep::Model)));
  }
  HighlightFrame* frame() { return window.findChild<HighlightFrame*>(); }
  void answer(int choice) { bar()->choiceButtons().at(choice)->click(); }
  void finishComparison(VerdictLabel label) { Q_EMIT window.controller()->comparisonFinished(verdict(label)); }

  /// The first step's effects, as the test asserts them throughout.
  void expectFirstStepApplied() {
    EXPECT_FALSE(strategy()->isEnabled());
    EXPECT_FALSE(seeds()->isEnabled());
    EXPECT_TRUE(mitigations()->isHidden());
    EXPECT_TRUE(modelTabShown());
  }
  void expectNothingApplied() {
    EXPECT_TRUE(strategy()->isEnabled());
    EXPECT_TRUE(seeds()->isEnabled());
    EXPECT_FALSE(mitigations()->isHidden());
    EXPECT_TRUE(modelTabShown());
  }
};

TEST_F(LessonBarTest, ShowsTheLessonNameAndTheStep) {
  EXPECT_TRUE(bar()->isVisibleTo(&window));
  EXPECT_EQ(bar()->step(), 0);
  EXPECT_EQ(bar()->stepCount(), 3);
  EXPECT_TRUE(bar()->text().startsWith(QStringLiteral("ui test — step 1 of 3\nFrozen layers are grey.")))
      << bar()->text().toStdString();
  EXPECT_FALSE(bar()->backButton()->isEnabled());
  EXPECT_TRUE(bar()->nextButton()->isEnabled());
  EXPECT_EQ(bar()->nextButton()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_Right));
  EXPECT_EQ(bar()->backButton()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_Left));
}

TEST_F(LessonBarTest, EachStepLocksAndHidesWhatItSaysAndGivesItBackOnTheNext) {
  expectFirstStepApplied();
  EXPECT_TRUE(twin()->isEnabled() == window.trainingControls()->twinBox()->isEnabled());
  const bool twinBefore = twin()->isEnabled();  // the owner's: enabled only with a pretrained model

  bar()->next();
  EXPECT_EQ(bar()->step(), 1);
  EXPECT_TRUE(strategy()->isEnabled());
  EXPECT_TRUE(seeds()->isEnabled());
  EXPECT_FALSE(mitigations()->isHidden());
  EXPECT_FALSE(twin()->isEnabled());
  EXPECT_FALSE(modelTabShown());

  answer(0);
  bar()->next();
  EXPECT_EQ(twin()->isEnabled(), twinBefore) << "the lesson gives back only what it changed";
  expectNothingApplied();

  bar()->back();
  bar()->back();
  expectFirstStepApplied();
}

TEST_F(LessonBarTest, RestartAndLeaveGiveEveryPartBack) {
  bar()->next();
  bar()->restart();
  EXPECT_EQ(bar()->step(), 0);
  expectFirstStepApplied();
  EXPECT_TRUE(twin()->isEnabled() || !window.session()->modelInfo().pretrained);

  const QString experiment = window.session()->configJson();
  QSignalSpy left(bar(), &LessonBar::left);
  bar()->leaveButton()->click();
  EXPECT_EQ(left.count(), 1);
  EXPECT_FALSE(bar()->isRunning());
  EXPECT_FALSE(bar()->isVisibleTo(&window));
  expectNothingApplied();
  EXPECT_EQ(bar()->highlighted(), nullptr);
  EXPECT_FALSE(frame()->isVisible());
  EXPECT_EQ(window.session()->configJson(), experiment) << "the lesson's experiment stays loaded";
}

TEST_F(LessonBarTest, APartItsOwnerEnablesDuringTheStepStaysLockedUntilTheStepEnds) {
  strategy()->setEnabled(true);  // as the window does when a run ends
  EXPECT_FALSE(strategy()->isEnabled());
  bar()->next();
  EXPECT_TRUE(strategy()->isEnabled());
}

TEST_F(LessonBarTest, APartItsOwnerHadDisabledStaysDisabled) {
  bar()->leave();
  seeds()->setEnabled(false);  // its owner's, not the lesson's
  QString error;
  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("steps"), configWith(kStepsKeys)), &error));
  EXPECT_FALSE(seeds()->isEnabled());
  bar()->leave();
  EXPECT_FALSE(seeds()->isEnabled());
  seeds()->setEnabled(true);
}

TEST_F(LessonBarTest, TheHighlightFramesTheStepsTargetAndOpensItsTab) {
  test::wait_until([] { return false; }, 50);
  const auto inWindow = [&](QWidget* w) { return QRect(w->mapTo(&window, QPoint(0, 0)), w->size()); };
  EXPECT_EQ(bar()->highlighted(), window.layerTreePanel());
  ASSERT_NE(frame(), nullptr);
  EXPECT_TRUE(frame()->isVisible());
  EXPECT_TRUE(frame()->testAttribute(Qt::WA_TransparentForMouseEvents));
  EXPECT_TRUE(frame()->geometry().contains(inWindow(window.layerTreePanel())));

  bar()->next();
  EXPECT_EQ(bar()->highlighted(), window.analysisView());
  EXPECT_EQ(window.plotTabs()->currentWidget(), window.analysisView());
  test::wait_until([] { return false; }, 50);
  EXPECT_TRUE(frame()->geometry().contains(inWindow(window.analysisView())));

  window.resize(1200, 760);  // the frame follows its target
  test::wait_until([] { return false; }, 50);
  EXPECT_TRUE(frame()->geometry().contains(inWindow(window.analysisView())));
  EXPECT_LE(frame()->width(), window.analysisView()->width() + 2 * HighlightFrame::kWidth);
}

TEST_F(LessonBarTest, TheQuestionHoldsNextUntilItIsAnsweredAndBackShowsTheAnswer) {
  bar()->next();
  ASSERT_EQ(bar()->choiceButtons().size(), 3);
  EXPECT_TRUE(bar()->text().contains(QStringLiteral("Will transfer help?")));
  EXPECT_FALSE(bar()->nextButton()->isEnabled());
  bar()->next();
  EXPECT_EQ(bar()->step(), 1);

  answer(1);
  EXPECT_EQ(bar()->answer(1), std::optional<size_t>(1));
  EXPECT_TRUE(bar()->nextButton()->isEnabled());
  bar()->next();
  bar()->back();
  EXPECT_TRUE(bar()->choiceButtons().at(1)->isChecked());
  EXPECT_FALSE(bar()->choiceButtons().at(0)->isChecked());

  bar()->restart();
  EXPECT_FALSE(bar()->answer(1).has_value());
  bar()->next();
  EXPECT_EQ(bar()->choiceButtons().at(0)->parentWidget()->layout()->count(), 4) << "three answers and a stretch, once";
}

TEST_F(LessonBarTest, TheRevealWaitsForTheRunThenComparesItWithTheAnswer) {
  bar()->next();
  answer(0);  // "yes": positive
  bar()->next();
  EXPECT_TRUE(bar()->text().contains(QStringLiteral("Run the experiment"))) << bar()->text().toStdString();
  EXPECT_FALSE(bar()->text().contains(QStringLiteral("Transfer won")));

  finishComparison(VerdictLabel::Positive);
  const QString text = bar()->text();
  EXPECT_TRUE(text.contains(QStringLiteral("Result: Transfer won by 23 points."))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("You answered \"yes\"; the run measured positive transfer: as you expected.")))
      << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("Measured: positive: transfer 78.3% vs scratch twin 55.1%, +23.2 ± 3.0 points "
                                           "over 3 seeds (~42 s per seed with its twin)")))
      << text.toStdString();
}

TEST_F(LessonBarTest, AnAnswerTheRunContradictsIsSaidSo) {
  bar()->next();
  answer(1);  // "no": negative
  bar()->next();
  finishComparison(VerdictLabel::Positive);
  EXPECT_TRUE(bar()->text().contains(
      QStringLiteral("You answered \"no\"; the run measured positive transfer: not what you expected.")))
      << bar()->text().toStdString();
  bar()->back();
  for (QPushButton* choice : bar()->choiceButtons()) EXPECT_FALSE(choice->isEnabled()) << "an answer stands once measured";
}

// transferlab --lesson-step N --lesson-answer TEXT walks a lesson this way.
TEST_F(LessonBarTest, AdvanceToAnswersTheQuestionsOnTheWayAndStopsWhereAStepWaits) {
  EXPECT_EQ(bar()->advanceTo(2, QStringLiteral("no")), 2);
  EXPECT_EQ(bar()->answer(1), std::optional<size_t>(1));

  bar()->restart();
  EXPECT_EQ(bar()->advanceTo(2, QStringLiteral("perhaps")), 1) << "no such answer: the question waits";
  EXPECT_FALSE(bar()->answer(1).has_value());
  EXPECT_EQ(bar()->advanceTo(9, QStringLiteral("yes")), 2) << "never past the last step";
}

TEST_F(LessonBarTest, LoadingAnotherConfigEndsTheLesson) {
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(configWith(QString()), &error)) << error.toStdString();
  EXPECT_FALSE(bar()->isRunning());
  EXPECT_FALSE(bar()->isVisibleTo(&window));
  expectNothingApplied();
}

TEST_F(LessonBarTest, APartTheWindowLacksIsNamedAndTheLessonDoesNotStart) {
  const QString path = writePreset(QStringLiteral("typo"), configWith(QStringLiteral(
      R"("steps": [{"text": "One."}, {"text": "Two.", "lock": ["twin", "layer_three"]}])")));
  QString error;
  EXPECT_FALSE(window.loadPreset(path, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("steps[1].lock[1]: no part named \"layer_three\" (parts: model_step,")))
      << error.toStdString();
  EXPECT_FALSE(bar()->isRunning());
  expectNothingApplied();
}

// The window locks the setup during a run; a step ending meanwhile must not unlock it.
TEST_F(LessonsTest, AStepEndingDuringARunKeepsTheWindowsEditLock) {
  const QString busy = QStringLiteral(R"({"name": "busy", "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1, 2], "shots_per_class": 100, "test_per_class": 50},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": 200, "batch_size": 32, "learning_rate": 0.01, "seed": 2},
    "steps": [{"text": "One.", "lock": ["strategy"]}, {"text": "Two."}]})");
  QString error;
  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("busy"), busy), &error)) << error.toStdString();
  QWidget* strategy = window.findChild<StrategyPanel*>();
  EXPECT_FALSE(strategy->isEnabled());
  QSignalSpy batches(window.controller(), &TrainingController::batchTrained);
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(test::wait_until([&] { return batches.count() > 0; }, 180000));

  window.lessonBar()->next();
  EXPECT_FALSE(strategy->isEnabled()) << "the run's edit lock stands";

  window.controller()->stopAndWait();
  EXPECT_TRUE(test::wait_until([&] { return strategy->isEnabled(); }, 10000));
}

TEST_F(LessonsTest, EveryBuiltinLessonNamesOnlyPartsOfTheWindow) {
  for (const Preset& preset : builtin_presets()) {
    try {
      check_lesson_targets(preset.lesson, window.windowParts().names());
    } catch (const ConfigError& e) {
      ADD_FAILURE() << preset.path << ": " << e.what();
    }
  }
}

// The README's list of part names is the window's, so a teacher's file loads.
TEST_F(LessonsTest, TheReadmeListsEveryWindowPart) {
  QFile readme(QStringLiteral(TL_TEST_DATA_DIR "/../../README.md"));
  ASSERT_TRUE(readme.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(readme.readAll());
  const qsizetype start = text.indexOf(QStringLiteral("Window parts: "));
  ASSERT_GE(start, 0);
  const QString list = text.mid(start, text.indexOf(QStringLiteral("\n\n"), start) - start);
  std::vector<std::string> listed;
  QRegularExpressionMatchIterator names = QRegularExpression(QStringLiteral("`([a-z_]+)`")).globalMatch(list);
  while (names.hasNext()) listed.push_back(names.next().captured(1).toStdString());
  std::vector<std::string> parts = window.windowParts().names();
  std::sort(listed.begin(), listed.end());
  std::sort(parts.begin(), parts.end());
  EXPECT_EQ(listed, parts);
}

TEST_F(LessonsTest, APlainLessonTextIsAOneStepLessonWithItsMeasuredOutcome) {
  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("with-lesson"), configWith(kLessonKeys))));
  LessonBar* bar = window.lessonBar();
  EXPECT_TRUE(bar->isVisibleTo(&window));
  EXPECT_EQ(bar->stepCount(), 1);
  EXPECT_EQ(bar->text(), QStringLiteral("ui test — step 1 of 1\nFrozen edges & textures carry over.\nMeasured: "
                                        "positive: transfer 78.3% vs scratch twin 55.1%, +23.2 ± 3.0 points over 3 "
                                        "seeds (~42 s per seed with its twin)"));

  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("plain"), configWith(QString()))));
  EXPECT_FALSE(bar->isRunning());
  EXPECT_FALSE(bar->isVisibleTo(&window));
}

// The bar keeps to its height on the longest step of any built-in lesson,
// its question and result shown: the curves keep theirs at 1024×640.
TEST_F(LessonsTest, TheLongestStepFitsASmallLaptopScreen) {
  std::string longest;
  for (const Preset& preset : builtin_presets()) {
    for (const LessonStep& step : preset.lesson.steps) {
      const std::string shown = step.text + " " + step.reveal;
      if (shown.size() > longest.size()) longest = shown;
    }
  }
  ASSERT_GT(longest.size(), 200u);
  QJsonObject step{{QStringLiteral("text"), QString::fromStdString(longest)},
                   {QStringLiteral("reveal"), QString::fromStdString(longest)},
                   {QStringLiteral("question"), QJsonDocument::fromJson(R"({"text": "Will the frozen features help?",
                      "choices": [{"text": "yes", "verdict": "positive"}, {"text": "no", "verdict": "negative"},
                                  {"text": "can't tell", "verdict": "inconclusive"}]})").object()}};
  const QString steps = QStringLiteral("\"steps\": ") + QString::fromUtf8(QJsonDocument(QJsonArray{step}).toJson());
  window.resize(1024, 640);
  window.show();
  ASSERT_TRUE(window.loadPreset(writePreset(QStringLiteral("long"), configWith(steps + QStringLiteral(", ") + kExpectedKeys))));
  window.lessonBar()->choiceButtons().at(0)->click();
  Q_EMIT window.controller()->comparisonFinished(verdict(VerdictLabel::Positive));
  test::wait_until([] { return false; }, 50);

  EXPECT_EQ(window.size(), QSize(1024, 640));
  QWidget* plot = window.lossPlot();
  const auto inWindow = [&](QWidget* w) { return QRect(w->mapTo(&window, QPoint(0, 0)), w->size()); };
  EXPECT_TRUE(window.rect().contains(inWindow(plot)));
  EXPECT_FALSE(inWindow(window.lessonBar()).intersects(inWindow(plot)));
  EXPECT_GE(plot->height(), 240);
  EXPECT_GE(window.layerTreePanel()->height(), 120);
  // Its text's lines, the buttons' row and the answers' row, and margins.
  LessonBar* bar = window.lessonBar();
  const int rows = 2 * bar->nextButton()->sizeHint().height();
  EXPECT_LE(bar->height(), LessonBar::kBodyLines * bar->fontMetrics().lineSpacing() + rows + 24);
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
