#include "history/metrics_export.h"
#include "history/run_history.h"

#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;

namespace tl {
namespace {

HistoryRun sample_run(const std::string& name, const std::string& status = "finished") {
  HistoryRun run;
  run.name = name;
  run.origin = "cli";
  run.model = "small_cnn_fashion04";
  run.strategy = "partial_fine_tuning";
  run.status = status;
  run.val_accuracy = 0.8;
  run.test_accuracy = 0.75;
  run.seconds = 12.5;
  run.output_dir = "/tmp/runs/" + name;
  run.config = {{"name", name}, {"training", {{"epochs", 2}}}};
  run.epochs = {{1, 0.9, 0.6, 0.8, 0.65, 6.0}, {2, 0.5, 0.8, 0.6, 0.8, 6.5}};
  return run;
}

TEST(RunHistory, RecordedRunReadsBackWithItsEpochs) {
  const test::TestDir dir;
  RunHistory history(dir.path("runs.sqlite"));
  HistoryRun run = sample_run("blur");
  run.verdict = "positive";
  run.verdict_detail = {{"label", "positive"}, {"gap", 12.5}};
  run.model_file = "/tmp/runs/blur/model.safetensors";
  const int64_t id = history.add(run);
  const auto found = history.find(id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->name, "blur");
  EXPECT_EQ(found->origin, "cli");
  EXPECT_EQ(found->model, "small_cnn_fashion04");
  EXPECT_EQ(found->strategy, "partial_fine_tuning");
  EXPECT_EQ(found->status, "finished");
  EXPECT_EQ(found->verdict, "positive");
  EXPECT_EQ(found->verdict_detail, run.verdict_detail);
  EXPECT_EQ(found->config, run.config);
  EXPECT_EQ(found->output_dir, "/tmp/runs/blur");
  EXPECT_EQ(found->model_file, "/tmp/runs/blur/model.safetensors");
  EXPECT_DOUBLE_EQ(*found->test_accuracy, 0.75);
  EXPECT_DOUBLE_EQ(*found->val_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(found->seconds, 12.5);
  EXPECT_EQ(found->created.size(), std::string("2026-11-26T16:45:50Z").size());
  ASSERT_EQ(found->epochs.size(), 2u);
  EXPECT_EQ(found->epochs[1].epoch, 2);
  EXPECT_DOUBLE_EQ(found->epochs[1].train_loss, 0.5);
  EXPECT_DOUBLE_EQ(found->epochs[1].train_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(found->epochs[1].val_loss, 0.6);
  EXPECT_DOUBLE_EQ(found->epochs[1].val_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(found->epochs[1].seconds, 6.5);
  EXPECT_FALSE(history.find(id + 1));
}

TEST(RunHistory, RunWithoutTestAccuracyKeepsItAbsent) {
  const test::TestDir dir;
  RunHistory history(dir.path("runs.sqlite"));
  HistoryRun run = sample_run("stopped", "cancelled");
  run.test_accuracy.reset();
  const int64_t id = history.add(run);
  EXPECT_FALSE(history.find(id)->test_accuracy.has_value());
}

TEST(RunHistory, ListsNewestFirstAndFiltersByTextAndStatus) {
  const test::TestDir dir;
  RunHistory history(dir.path("runs.sqlite"));
  HistoryRun a = sample_run("Blur five shots");
  a.created = "2026-01-01T10:00:00Z";
  HistoryRun b = sample_run("rotation", "failed");
  b.created = "2026-01-02T10:00:00Z";
  b.strategy = "feature_extraction";
  HistoryRun c = sample_run("100%_done");
  c.created = "2026-01-03T10:00:00Z";
  const int64_t ida = history.add(a), idb = history.add(b), idc = history.add(c);

  const auto all = history.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, idc);
  EXPECT_EQ(all[1].id, idb);
  EXPECT_EQ(all[2].id, ida);
  EXPECT_TRUE(all[0].epochs.empty());

  const auto blur = history.list({"BLUR", ""});
  ASSERT_EQ(blur.size(), 1u);
  EXPECT_EQ(blur[0].id, ida);
  const auto by_strategy = history.list({"feature_extr", ""});
  ASSERT_EQ(by_strategy.size(), 1u);
  EXPECT_EQ(by_strategy[0].id, idb);
  // % and _ are plain characters, not LIKE wildcards.
  const auto literal = history.list({"0%_", ""});
  ASSERT_EQ(literal.size(), 1u);
  EXPECT_EQ(literal[0].id, idc);
  const auto failed = history.list({"", "failed"});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, idb);
  EXPECT_TRUE(history.list({"blur", "failed"}).empty());
}

TEST(RunHistory, RenameAndDelete) {
  const test::TestDir dir;
  RunHistory history(dir.path("runs.sqlite"));
  const int64_t keep = history.add(sample_run("keep"));
  const int64_t gone = history.add(sample_run("gone"));
  EXPECT_TRUE(history.rename(keep, "kept, renamed"));
  EXPECT_EQ(history.find(keep)->name, "kept, renamed");
  EXPECT_FALSE(history.rename(9999, "nobody"));

  EXPECT_TRUE(history.remove(gone));
  EXPECT_FALSE(history.find(gone));
  EXPECT_TRUE(history.epochs(gone).empty());  // the epochs went with the run
  EXPECT_FALSE(history.remove(gone));
  ASSERT_EQ(history.list().size(), 1u);
  EXPECT_EQ(history.epochs(keep).size(), 2u);
}

TEST(RunHistory, NamesAreBoundNotSpliced) {
  const test::TestDir dir;
  RunHistory history(dir.path("runs.sqlite"));
  const std::string hostile = "x'); DROP TABLE runs; --";
  const int64_t id = history.add(sample_run(hostile));
  EXPECT_EQ(history.find(id)->name, hostile);
  EXPECT_EQ(history.list({hostile, ""}).size(), 1u);
}

TEST(RunHistory, UsesWalModeAndTheCurrentSchema) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  RunHistory history(path);
  EXPECT_EQ(history.schema_version(), kHistorySchemaVersion);
  SqliteDatabase raw(path);
  SqliteStatement mode(raw, "PRAGMA journal_mode", "reading the journal mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
}

TEST(RunHistory, TwoConnectionsWriteAtOnce) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  RunHistory first(path);
  RunHistory second(path);
  constexpr int kRunsEach = 25;
  const auto write = [](RunHistory& history, const std::string& prefix) {
    for (int i = 0; i < kRunsEach; ++i) history.add(sample_run(prefix + std::to_string(i)));
  };
  std::thread a(write, std::ref(first), "gui ");
  std::thread b(write, std::ref(second), "cli ");
  a.join();
  b.join();
  EXPECT_EQ(first.list().size(), 2u * kRunsEach);
  EXPECT_EQ(second.list({"gui ", ""}).size(), static_cast<size_t>(kRunsEach));
  for (const auto& run : second.list()) EXPECT_EQ(second.epochs(run.id).size(), 2u) << run.name;
}

TEST(RunHistory, MigratesAVersionOneDatabaseKeepingItsRows) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  {
    // The version-1 schema exactly as the first release created it.
    SqliteDatabase v1(path);
    v1.execute(R"sql(
      CREATE TABLE runs(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created TEXT NOT NULL,
        status TEXT NOT NULL,
        config TEXT NOT NULL,
        output_dir TEXT NOT NULL DEFAULT '',
        test_accuracy REAL,
        seconds REAL NOT NULL DEFAULT 0);
      CREATE TABLE epochs(
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        train_loss REAL NOT NULL,
        train_accuracy REAL NOT NULL,
        val_loss REAL NOT NULL,
        val_accuracy REAL NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY(run_id, epoch));
      INSERT INTO runs(name, created, status, config, output_dir, test_accuracy, seconds) VALUES(
        'old run', '2025-05-01T08:00:00Z', 'finished',
        '{"name": "old run", "model": {"pretrained": "small_cnn_fashion04", "architecture": ""},
          "transfer": {"strategy": "feature_extraction"}}',
        '/old/runs/one', 0.625, 30.0);
      INSERT INTO epochs VALUES(1, 1, 1.5, 0.4, 1.2, 0.5, 15.0);
      INSERT INTO epochs VALUES(1, 2, 1.0, 0.6, 0.9, 0.62, 15.0);
      PRAGMA user_version = 1;
    )sql",
               "creating a version-1 history");
  }
  RunHistory history(path);
  EXPECT_EQ(history.schema_version(), kHistorySchemaVersion);
  const auto runs = history.list();
  ASSERT_EQ(runs.size(), 1u);
  const auto old = history.find(runs[0].id);
  EXPECT_EQ(old->name, "old run");
  EXPECT_EQ(old->created, "2025-05-01T08:00:00Z");
  EXPECT_EQ(old->output_dir, "/old/runs/one");
  EXPECT_DOUBLE_EQ(*old->test_accuracy, 0.625);
  EXPECT_DOUBLE_EQ(old->seconds, 30.0);
  // Columns added by version 2: filled from the stored config where it can tell.
  EXPECT_EQ(old->model, "small_cnn_fashion04");
  EXPECT_EQ(old->strategy, "feature_extraction");
  EXPECT_EQ(old->verdict, "");
  EXPECT_TRUE(old->verdict_detail.is_null());
  EXPECT_EQ(old->sweep, "");  // version 3: no sweep
  ASSERT_EQ(old->epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(old->epochs[1].val_accuracy, 0.62);
  // And the migrated database takes new runs.
  const int64_t id = history.add(sample_run("new"));
  EXPECT_EQ(history.find(id)->model, "small_cnn_fashion04");
  EXPECT_EQ(history.list().size(), 2u);
}

TEST(RunHistory, ASweepTrialKeepsItsSweepAndARunOfItsOwnStoresNone) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  RunHistory history(path);
  HistoryRun trial = sample_run("depth 2");
  trial.sweep = "/tmp/runs/depth-sweep";
  const int64_t trial_id = history.add(trial);
  const int64_t own_id = history.add(sample_run("alone"));
  EXPECT_EQ(history.find(trial_id)->sweep, "/tmp/runs/depth-sweep");
  EXPECT_EQ(history.find(own_id)->sweep, "");
  const auto found = history.list({"depth-sweep", ""});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, trial_id);
  // A run of its own has NULL, not an empty text, so "sweep IS NULL" groups it.
  SqliteDatabase db(path);
  SqliteStatement nulls(db, "SELECT COUNT(*) FROM runs WHERE sweep IS NULL", "counting runs without a sweep");
  ASSERT_TRUE(nulls.step());
  EXPECT_EQ(nulls.column_int(0), 1);
}

TEST(RunHistory, ASchemaNewerThanThisBuildIsRefusedByName) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  {
    SqliteDatabase future(path);
    future.execute("PRAGMA user_version = 99", "marking the schema as newer");
  }
  try {
    RunHistory history(path);
    FAIL() << "a version-99 history opened";
  } catch (const SqliteError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": the run history has schema version 99, newer than this Transfer Lab "
                                            "understands (" + std::to_string(kHistorySchemaVersion) + ")");
  }
}

TEST(RunHistory, ACorruptFileGivesAnErrorNamingIt) {
  const test::TestDir dir;
  const std::string path = dir.path("runs.sqlite");
  {
    std::ofstream garbage(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) garbage.put(static_cast<char>((i * 7919) % 251));
  }
  try {
    RunHistory history(path);
    FAIL() << "a corrupt history opened";
  } catch (const SqliteError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("file is not a database"), std::string::npos) << message;
  }
}

TEST(RunHistory, AnUncreatableDirectoryGivesAnErrorNamingIt) {
  const test::TestDir dir;
  test::write_file(dir.path("a_file"), "");
  const std::string path = dir.path("a_file/runs.sqlite");
  try {
    RunHistory history(path);
    FAIL() << "a history under a regular file opened";
  } catch (const SqliteError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": cannot create the directory of the run history", 0), 0u)
        << e.what();
  }
}

TEST(HistoryDataDirectory, FollowsTheOverrideThenXdgThenHome) {
  const auto keep = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v) setenv(name, v->c_str(), 1);
    else unsetenv(name);
  };
  const auto data = keep("TRANSFERLAB_DATA_DIR"), xdg = keep("XDG_DATA_HOME"), home = keep("HOME");
  setenv("TRANSFERLAB_DATA_DIR", "/tmp/tl-override", 1);
  setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(history_data_directory(), "/tmp/tl-override");
  EXPECT_EQ(default_history_path(), "/tmp/tl-override/runs.sqlite");
  unsetenv("TRANSFERLAB_DATA_DIR");
  EXPECT_EQ(history_data_directory(), "/tmp/xdg/transferlab");
  setenv("XDG_DATA_HOME", "relative/ignored", 1);
  EXPECT_EQ(history_data_directory(), "/home/someone/.local/share/transferlab");
  unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(history_data_directory(), "/home/someone/.local/share/transferlab");
  restore("TRANSFERLAB_DATA_DIR", data);
  restore("XDG_DATA_HOME", xdg);
  restore("HOME", home);
}

TEST(MetricsExport, OneRowPerRunAndEpochWithQuotedNames) {
  HistoryRun a = sample_run("plain");
  a.id = 3;
  HistoryRun b = sample_run("with, comma \"quoted\"");
  b.id = 7;
  b.epochs.resize(1);
  EXPECT_EQ(epochs_csv({a, b}),
            "run_id,name,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n"
            "3,plain,1,0.9,0.6,0.8,0.65,6\n"
            "3,plain,2,0.5,0.8,0.6,0.8,6.5\n"
            "7,\"with, comma \"\"quoted\"\"\",1,0.9,0.6,0.8,0.65,6\n");
}

}  // namespace
}  // namespace tl
