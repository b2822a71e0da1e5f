#include "history/run_history.h"
#include "history/run_recording.h"
#include "main_window/training_controls.h"
#include "main_window/main_window.h"
#include "runs/runs_panel.h"
#include "runs/runs_table_model.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "support/batch_window.h"
#include "support/ui_wait.h"

#include "plot/qcustomplot_no_keywords.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

namespace tl {
namespace {

HistoryRun recorded(const std::string& name, double firstValAccuracy) {
  HistoryRun run;
  run.name = name;
  run.origin = "cli";
  run.model = "small_cnn";
  run.strategy = "full_fine_tuning";
  run.status = "finished";
  run.test_accuracy = 0.75;
  run.seconds = 3.0;
  run.config = {{"name", name},
                {"model", {{"architecture", "small_cnn"}}},
                {"target", {{"classes", {0, 1}}, {"shots_per_class", 10}}},
                {"training", {{"epochs", 3}}}};
  for (int e = 1; e <= 3; ++e) {
    run.epochs.push_back({e, 1.0 / e, 0.5, 1.2 / e, firstValAccuracy + 0.05 * e, 1.0});
  }
  return run;
}

class RunsPanelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir.isValid());
    path = dir.filePath(QStringLiteral("runs.sqlite"));
    RunHistory history(path.toStdString());
    blur = history.add(recorded("blur lesson", 0.5));
    rotation = history.add(recorded("rotation", 0.3));
    panel.setHistoryPath(path);
    panel.setConfirmDeletes(false);
  }

  /// The table's cell as shown (through the sorting proxy).
  QString shown(qint64 id, int column) const {
    const QAbstractItemModel* view = panel.view()->model();
    for (int row = 0; row < view->rowCount(); ++row) {
      if (view->index(row, 0).data(RunsTableModel::IdRole).value<qint64>() == id) {
        return view->index(row, column).data().toString();
      }
    }
    return {};
  }

  QTemporaryDir dir;
  QString path;
  qint64 blur = 0, rotation = 0;
  RunsPanel panel;
};

TEST_F(RunsPanelTest, ListShowsTheRecordedRuns) {
  EXPECT_TRUE(panel.errorText().isEmpty()) << panel.errorText().toStdString();
  EXPECT_EQ(panel.view()->model()->rowCount(), 2);
  EXPECT_EQ(shown(blur, RunsTableModel::Name), QStringLiteral("blur lesson"));
  EXPECT_EQ(shown(blur, RunsTableModel::Model), QStringLiteral("small_cnn"));
  EXPECT_EQ(shown(blur, RunsTableModel::Strategy), QStringLiteral("full fine tuning"));
  EXPECT_EQ(shown(blur, RunsTableModel::Status), QStringLiteral("finished"));
  EXPECT_EQ(shown(blur, RunsTableModel::TestAccuracy), QStringLiteral("75.0 %"));
  EXPECT_EQ(shown(blur, RunsTableModel::Seconds), QStringLiteral("3.0"));
}

TEST_F(RunsPanelTest, TheVerdictColumnWordsTheLabelAsTheBannerDoes) {
  RunHistory history(path.toStdString());
  HistoryRun one = recorded("one seed", 0.4);
  one.verdict = "single_seed";
  HistoryRun three = recorded("three seeds", 0.4);
  three.verdict = "negative";
  const qint64 oneId = history.add(one);
  const qint64 threeId = history.add(three);
  panel.refresh();
  EXPECT_EQ(shown(oneId, RunsTableModel::Verdict), QStringLiteral("single seed"));
  EXPECT_EQ(shown(threeId, RunsTableModel::Verdict), QStringLiteral("negative transfer"));
  EXPECT_EQ(shown(blur, RunsTableModel::Verdict), QStringLiteral("–"));  // no twin, no verdict
}

TEST_F(RunsPanelTest, RefreshPicksUpRunsRecordedElsewhere) {
  const qint64 added = RunHistory(path.toStdString()).add(recorded("from the cli", 0.4));
  panel.refresh();
  EXPECT_EQ(panel.view()->model()->rowCount(), 3);
  EXPECT_EQ(shown(added, RunsTableModel::Name), QStringLiteral("from the cli"));
}

TEST_F(RunsPanelTest, FilterLineKeepsMatchingRuns) {
  panel.filterEdit()->setText(QStringLiteral("BLUR"));
  ASSERT_EQ(panel.view()->model()->rowCount(), 1);
  EXPECT_EQ(shown(blur, RunsTableModel::Name), QStringLiteral("blur lesson"));
  panel.filterEdit()->clear();
  EXPECT_EQ(panel.view()->model()->rowCount(), 2);
}

TEST_F(RunsPanelTest, OverlayDrawsOneGraphPerSelectedRun) {
  panel.selectRuns({blur});
  EXPECT_EQ(panel.plot()->graphCount(), 1);
  panel.selectRuns({blur, rotation});
  ASSERT_EQ(panel.plot()->graphCount(), 2);
  // Table order: newest (rotation) first; validation accuracy in percent.
  QCPGraph* first = panel.plot()->graph(0);
  ASSERT_EQ(first->data()->size(), 3);
  EXPECT_EQ(first->name(), QStringLiteral("#%1 rotation").arg(rotation));
  EXPECT_DOUBLE_EQ(first->data()->at(0)->value, 35.0);
  panel.setMetric(RunsPanel::Metric::ValidationLoss);
  ASSERT_EQ(panel.plot()->graphCount(), 2);
  EXPECT_DOUBLE_EQ(panel.plot()->graph(0)->data()->at(1)->value, 0.6);
  panel.selectRuns({});
  EXPECT_EQ(panel.plot()->graphCount(), 0);
}

TEST_F(RunsPanelTest, OverlaidRunsDifferInLineStyleAsWellAsColour) {
  panel.selectRuns({blur, rotation});
  ASSERT_EQ(panel.plot()->graphCount(), 2);
  const QPen first = panel.plot()->graph(0)->pen();
  const QPen second = panel.plot()->graph(1)->pen();
  EXPECT_NE(first.color(), second.color());
  EXPECT_NE(first.style(), second.style());
}

TEST_F(RunsPanelTest, EditingTheNameCellRenamesTheRun) {
  QAbstractItemModel* view = panel.view()->model();
  QModelIndex cell;
  for (int row = 0; row < view->rowCount(); ++row) {
    if (view->index(row, 0).data(RunsTableModel::IdRole).value<qint64>() == blur) cell = view->index(row, 0);
  }
  ASSERT_TRUE(cell.flags() & Qt::ItemIsEditable);
  ASSERT_TRUE(view->setData(cell, QStringLiteral("blur, five shots")));
  EXPECT_EQ(RunHistory(path.toStdString()).find(blur)->name, "blur, five shots");
  EXPECT_EQ(shown(blur, RunsTableModel::Name), QStringLiteral("blur, five shots"));
}

TEST_F(RunsPanelTest, DeleteRemovesTheSelectedRun) {
  panel.selectRuns({blur});
  ASSERT_TRUE(panel.deleteAction()->isEnabled());
  EXPECT_EQ(panel.deleteAction()->shortcut(), QKeySequence(QKeySequence::Delete));
  panel.deleteAction()->trigger();
  EXPECT_EQ(panel.view()->model()->rowCount(), 1);
  EXPECT_FALSE(RunHistory(path.toStdString()).find(blur));
  EXPECT_TRUE(RunHistory(path.toStdString()).find(rotation));
  EXPECT_EQ(panel.plot()->graphCount(), 0);
}

TEST_F(RunsPanelTest, ExportWritesTheSelectedRunsEpochsAsCsv) {
  panel.selectRuns({blur, rotation});
  const QString csv = dir.filePath(QStringLiteral("export.csv"));
  QString error;
  ASSERT_TRUE(panel.exportCsv(csv, &error)) << error.toStdString();
  QFile file(csv);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 1 + 2 * 3);
  EXPECT_EQ(lines[0], QStringLiteral("run_id,name,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds"));
  EXPECT_TRUE(lines[1].startsWith(QStringLiteral("%1,rotation,1,").arg(rotation))) << lines[1].toStdString();
  EXPECT_TRUE(lines[4].startsWith(QStringLiteral("%1,blur lesson,1,").arg(blur))) << lines[4].toStdString();

  panel.selectRuns({});
  EXPECT_FALSE(panel.exportCsv(csv, &error));
  EXPECT_EQ(error, QStringLiteral("Select the runs to export first."));
}

TEST_F(RunsPanelTest, ExportsTheOverlayAsPngAndPdf) {
  panel.selectRuns({blur, rotation});
  const QString png = dir.filePath(QStringLiteral("overlay.png")), pdf = dir.filePath(QStringLiteral("overlay.pdf"));
  ASSERT_TRUE(panel.exportPng(png));
  ASSERT_TRUE(panel.exportPdf(pdf));
  EXPECT_GT(QFileInfo(png).size(), 1000);
  EXPECT_GT(QFileInfo(pdf).size(), 1000);
}

TEST_F(RunsPanelTest, RerunHandsOverTheRecordedConfig) {
  QSignalSpy rerun(&panel, &RunsPanel::rerunRequested);
  panel.selectRuns({blur, rotation});
  EXPECT_FALSE(panel.rerunAction()->isEnabled());  // one run at a time
  panel.selectRuns({blur});
  ASSERT_TRUE(panel.rerunAction()->isEnabled());
  panel.rerunAction()->trigger();
  ASSERT_EQ(rerun.count(), 1);
  const auto config = nlohmann::json::parse(rerun.at(0).at(0).toString().toStdString());
  EXPECT_EQ(config["name"], "blur lesson");
  EXPECT_EQ(rerun.at(0).at(1).toString(), QStringLiteral("blur lesson"));
  EXPECT_EQ(rerun.at(0).at(2).toInt(), 1);  // no run.json to say otherwise: one seed, no twin
  EXPECT_FALSE(rerun.at(0).at(3).toBool());
}

TEST_F(RunsPanelTest, ACorruptHistoryIsNamedNotFatal) {
  const QString corrupt = dir.filePath(QStringLiteral("corrupt.sqlite"));
  QFile file(corrupt);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write(QByteArray(4096, 'x'));
  file.close();
  panel.setHistoryPath(corrupt);
  EXPECT_EQ(panel.view()->model()->rowCount(), 0);
  EXPECT_TRUE(panel.errorText().startsWith(corrupt + QStringLiteral(": "))) << panel.errorText().toStdString();
  EXPECT_TRUE(panel.errorText().contains(QStringLiteral("file is not a database")));
  panel.setHistoryPath(path);  // and it recovers with a good file
  EXPECT_EQ(panel.view()->model()->rowCount(), 2);
  EXPECT_TRUE(panel.errorText().isEmpty());
}

/// The window: View → Runs (Ctrl+R) shows the dock, a finished run appears in
/// it, and Re-run loads a recorded config into the session and trains it.
class RunsWindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    test::makeBatchWindow(window, runs.path());
  }
  bool waitUntilIdle() {
    return test::wait_until([&] { return !window.controller()->isBusy(); }, 180000);
  }

  QTemporaryDir runs;
  MainWindow window;
};

QString tinyConfig(const QString& name) {
  return QStringLiteral(R"({"name": "%1", "model": {"architecture": "small_cnn"},
    "target": {"classes": [0, 1], "shots_per_class": 10, "test_per_class": 20},
    "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
    "training": {"epochs": 1, "batch_size": 16, "seed": 3}})")
      .arg(name);
}

int rowsNamed(RunsPanel* panel, const QString& name) {
  int n = 0;
  const QAbstractItemModel* view = panel->view()->model();
  for (int row = 0; row < view->rowCount(); ++row) n += view->index(row, RunsTableModel::Name).data() == name;
  return n;
}

TEST_F(RunsWindowTest, ViewMenuShowsTheRunsDockWithCtrlR) {
  QAction* show = window.runsDock()->toggleViewAction();
  EXPECT_EQ(show->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
  EXPECT_TRUE(window.runsDock()->isHidden());
  show->trigger();
  EXPECT_FALSE(window.runsDock()->isHidden());
  // The history is the test binary's own, never the user's.
  EXPECT_EQ(window.runsPanel()->historyPath(),
            QString::fromLocal8Bit(qgetenv("TRANSFERLAB_DATA_DIR")) + QStringLiteral("/runs.sqlite"));
}

TEST_F(RunsWindowTest, AFinishedRunIsRecordedAndListedAndRerunTrainsItAgain) {
  const QString name = QStringLiteral("runs view test %1").arg(QCoreApplication::applicationPid());
  QString error;
  ASSERT_TRUE(window.session()->setConfigJson(tinyConfig(name), &error)) << error.toStdString();
  ASSERT_TRUE(window.startTraining());
  ASSERT_TRUE(waitUntilIdle());
  ASSERT_EQ(window.controller()->state(), TrainingController::State::Finished) << window.controller()->lastMessage().toStdString();
  RunsPanel* panel = window.runsPanel();
  ASSERT_EQ(rowsNamed(panel, name), 1);  // refreshed by runFinished
  const auto runs = RunHistory(panel->historyPath().toStdString()).list({name.toStdString(), ""});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].origin, "gui");
  EXPECT_EQ(runs[0].output_dir, window.controller()->lastRunDir().toStdString());
  EXPECT_EQ(RunHistory(panel->historyPath().toStdString()).epochs(runs[0].id).size(), 1u);

  // Re-run from another session config: the recorded one comes back and trains.
  ASSERT_TRUE(window.session()->setConfigJson(tinyConfig(QStringLiteral("something else")), &error));
  panel->selectRuns({runs[0].id});
  panel->rerunAction()->trigger();
  EXPECT_EQ(window.session()->experimentName(), name);
  EXPECT_TRUE(window.controller()->isBusy());
  ASSERT_TRUE(waitUntilIdle());
  EXPECT_EQ(rowsNamed(panel, name), 2);
}

TEST_F(RunsWindowTest, ARunOverSeveralSeedsIsRecordedOnceWithItsMeanAccuracy) {
  const QString name = QStringLiteral("runs seeds test %1").arg(QCoreApplication::applicationPid());
  RunOptions options;
  options.seeds = 2;
  ASSERT_TRUE(window.controller()->startFromConfigJson(tinyConfig(name).toUtf8(), options));
  ASSERT_TRUE(waitUntilIdle());
  ASSERT_EQ(window.controller()->state(), TrainingController::State::Finished)
      << window.controller()->lastMessage().toStdString();
  EXPECT_EQ(rowsNamed(window.runsPanel(), name), 1);
  const auto runs = RunHistory(window.runsPanel()->historyPath().toStdString()).list({name.toStdString(), ""});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].origin, "gui");
  EXPECT_EQ(runs[0].status, "finished");
  ASSERT_TRUE(runs[0].test_accuracy);
  // The mean over both seeds, as run.json's "transfer" section has it.
  QFile record(window.controller()->lastRunDir() + QStringLiteral("/run.json"));
  ASSERT_TRUE(record.open(QIODevice::ReadOnly));
  const auto json = nlohmann::json::parse(record.readAll().toStdString());
  EXPECT_DOUBLE_EQ(*runs[0].test_accuracy, json["transfer"]["test_accuracy"]["mean"].get<double>());

  // Re-run with the window set to one seed: it runs over two seeds again.
  window.trainingControls()->seedsBox()->setValue(1);
  window.runsPanel()->selectRuns({runs[0].id});
  window.runsPanel()->rerunAction()->trigger();
  EXPECT_EQ(window.trainingControls()->seedsBox()->value(), 2);
  EXPECT_FALSE(window.trainingControls()->twinBox()->isChecked());
  ASSERT_TRUE(waitUntilIdle());
  const auto again = RunHistory(window.runsPanel()->historyPath().toStdString()).list({name.toStdString(), ""});
  ASSERT_EQ(again.size(), 2u);
  for (const auto& run : again) EXPECT_EQ(recorded_repetition(run.output_dir), (RunRepetition{2, false}));
}

}  // namespace
}  // namespace tl
