#include "history/run_recording.h"

#include "experiment/comparison_record.h"

#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace tl {
namespace {

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  test::write_file(path, "x");
}

RunRecord sample_record(RunStatus status = RunStatus::Finished) {
  RunRecord r;
  r.config = {{"name", "blur lesson"},
              {"model", {{"pretrained", "small_cnn_fashion04"}, {"architecture", ""}}},
              {"transfer", {{"strategy", "feature_extraction"}}}};
  EpochEvent e1;
  e1.epoch = 1;
  e1.train_loss = 1.0;
  e1.val_accuracy = 0.5;
  EpochEvent e2 = e1;
  e2.epoch = 2;
  e2.val_accuracy = 0.7;
  r.epochs = {e1, e2};
  r.status = status;
  r.val_accuracy = 0.7;
  r.test_accuracy = 0.65;
  r.seconds = 4.0;
  return r;
}

TEST(HistoryRunFrom, TakesNameModelStrategyAndCurvesFromTheRecord) {
  const test::TestDir dir;
  const HistoryRun run = history_run_from(sample_record(), dir.path(), "cli");
  EXPECT_EQ(run.name, "blur lesson");
  EXPECT_EQ(run.model, "small_cnn_fashion04");
  EXPECT_EQ(run.strategy, "feature_extraction");
  EXPECT_EQ(run.origin, "cli");
  EXPECT_EQ(run.status, "finished");
  EXPECT_DOUBLE_EQ(*run.test_accuracy, 0.65);
  EXPECT_DOUBLE_EQ(*run.val_accuracy, 0.7);
  EXPECT_DOUBLE_EQ(run.seconds, 4.0);
  EXPECT_EQ(run.output_dir, dir.root().lexically_normal().string());
  EXPECT_EQ(run.verdict, "");
  ASSERT_EQ(run.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(run.epochs[1].val_accuracy, 0.7);
  EXPECT_EQ(run.config["name"], "blur lesson");
}

TEST(HistoryRunFrom, AStoppedRunHasNoTestAccuracy) {
  const test::TestDir dir;
  const HistoryRun run = history_run_from(sample_record(RunStatus::Cancelled), dir.path(), "gui");
  EXPECT_EQ(run.status, "cancelled");
  EXPECT_FALSE(run.test_accuracy);
}

TEST(HistoryRunFrom, AComparisonGivesTheVerdictMeanAccuracyAndAllTrainingTime) {
  Comparison comparison;
  for (uint64_t seed : {1, 2}) {
    SeedRuns s;
    s.seed = seed;
    s.transfer = sample_record();
    s.transfer.test_accuracy = seed == 1 ? 0.8 : 0.7;
    s.baseline = sample_record();
    s.baseline->test_accuracy = 0.5;
    comparison.runs.push_back(s);
  }
  std::vector<SeedPair> pairs;
  for (const auto& s : comparison.runs) pairs.push_back({s.seed, s.transfer.test_accuracy, s.baseline->test_accuracy, {}, {}});
  comparison.verdict = judge_transfer(pairs);
  const test::TestDir dir;
  const HistoryRun run = history_run_from(comparison, dir.path(), "cli");
  EXPECT_EQ(run.verdict, "positive");
  EXPECT_EQ(run.verdict_detail["label"], "positive");
  EXPECT_DOUBLE_EQ(*run.test_accuracy, 0.75);
  EXPECT_DOUBLE_EQ(run.seconds, 16.0);  // two seeds × (transfer + twin) × 4 s
  EXPECT_EQ(run.status, "finished");
  EXPECT_EQ(run.epochs.size(), 2u);
}

TEST(HistoryRunFrom, AComparisonStoppedEarlyTakesTheStatusOfItsLastRun) {
  Comparison comparison;
  SeedRuns s;
  s.transfer = sample_record();
  s.baseline = sample_record(RunStatus::Cancelled);
  comparison.runs.push_back(s);
  const test::TestDir dir;
  const HistoryRun run = history_run_from(comparison, dir.path(), "gui");
  EXPECT_EQ(run.status, "cancelled");
  EXPECT_EQ(run.verdict, "");
}

Comparison comparison_of(int seeds, bool twin) {
  Comparison comparison;
  for (int seed = 1; seed <= seeds; ++seed) {
    SeedRuns s;
    s.seed = static_cast<uint64_t>(seed);
    s.transfer = sample_record();
    if (twin) s.baseline = sample_record();
    comparison.runs.push_back(s);
  }
  return comparison;
}

TEST(RecordedRepetition, ReadsSeedsAndTwinFromTheRunRecord) {
  const test::TestDir dir;
  write_comparison(comparison_of(2, true), dir.path("twins"));
  write_comparison(comparison_of(3, false), dir.path("seeds"));
  write_run(sample_record(), dir.path("single"));
  EXPECT_EQ(recorded_repetition(dir.path("twins")), (RunRepetition{2, true}));
  EXPECT_EQ(recorded_repetition(dir.path("seeds")), (RunRepetition{3, false}));
  EXPECT_EQ(recorded_repetition(dir.path("single")), (RunRepetition{1, false}));
  EXPECT_EQ(recorded_repetition(dir.path("gone")), (RunRepetition{1, false}));
  test::write_file(dir.path("single/run.json"), "{\"per_seed\": ");  // cut short
  EXPECT_EQ(recorded_repetition(dir.path("single")), (RunRepetition{1, false}));
}

TEST(ProducedModelFile, PrefersTheExportedModelThenTheNewestCheckpoint) {
  const test::TestDir dir;
  EXPECT_EQ(produced_model_file(dir.path()), "");
  touch(dir.root() / "twin" / "model.safetensors");  // the twin's, not this run's
  EXPECT_EQ(produced_model_file(dir.path()), "");
  touch(dir.root() / "checkpoint" / "epoch-1.safetensors");
  EXPECT_EQ(produced_model_file(dir.path()), dir.path("checkpoint/epoch-1.safetensors"));
  touch(dir.root() / "model.safetensors");
  EXPECT_EQ(produced_model_file(dir.path()), dir.path("model.safetensors"));
  EXPECT_EQ(produced_model_file(dir.path("missing")), "");
}

TEST(RecordInHistory, AddsTheRunToTheGivenDatabase) {
  const test::TestDir dir;
  const std::string db = dir.path("data/runs.sqlite");
  std::string warning;
  const auto id = record_in_history(history_run_from(sample_record(), dir.path(), "cli"), &warning, db);
  ASSERT_TRUE(id) << warning;
  EXPECT_TRUE(warning.empty());
  RunHistory history(db);
  ASSERT_TRUE(history.find(*id));
  EXPECT_EQ(history.find(*id)->epochs.size(), 2u);
}

TEST(RecordInHistory, AnUnwritableHistoryWarnsInsteadOfThrowing) {
  const test::TestDir dir;
  touch(dir.root() / "a_file");
  const std::string db = dir.path("a_file/runs.sqlite");
  std::string warning;
  EXPECT_FALSE(record_in_history(history_run_from(sample_record(), dir.path(), "cli"), &warning, db));
  EXPECT_EQ(warning.rfind("the run was not added to the run history: " + db + ": cannot create the directory", 0), 0u)
      << warning;
}

}  // namespace
}  // namespace tl
