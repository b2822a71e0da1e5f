#include "sweep/run_sweep.h"

#include "history/run_history.h"
#include "support/config_error.h"
#include "support/fashion_mnist.h"
#include "support/small_checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace tl {
namespace {

using json = nlohmann::json;

ExperimentConfig tiny_config(const test::TestDir& dir) {
  ExperimentConfig c;
  c.name = "shirts";
  c.model.pretrained = test::small_checkpoint(dir);
  c.target.classes = {0, 1};
  c.target.shots_per_class = 20;
  c.target.test_per_class = 20;
  c.target.val_fraction = 0.02;
  c.transfer.strategy = Strategy::PartialFineTuning;
  c.training.epochs = 1;
  c.training.batch_size = 8;
  c.training.seed = 3;
  return c;
}

SweepRequest depth_sweep(const test::TestDir& dir, const std::string& out, json depths, int64_t seeds) {
  SweepRequest r;
  r.config = tiny_config(dir);
  r.config.extra["sweep"] = {{"axes", {{{"field", "frozen_depth"}, {"values", depths}}}}, {"seeds", seeds}};
  r.spec = sweep_spec_of(r.config);
  r.dir = dir.path(out);
  r.history_path = dir.path("runs.sqlite");
  return r;
}

/// Counts the jobs it hears of and can act when a trial finishes.
class CountingObserver : public SweepObserver {
 public:
  RunControl control;
  std::vector<JobIdentity> jobs;
  std::vector<int> finished_trials;
  std::function<void(const TrialResult&)> after_trial;

  SweepTable run(const SweepRequest& request) { return run_sweep(request, *this, control); }

  void on_job_started(const JobIdentity& job) override { jobs.push_back(job); }
  void on_trial_finished(const TrialResult& r, const SweepTable& table) override {
    finished_trials.push_back(r.index);
    EXPECT_EQ(read_sweep(fs::path(r.run_dir).parent_path().string()).trials.size(), table.trials.size())
        << "sweep.json is written before the observer hears of the trial";
    if (after_trial) after_trial(r);
  }
  int twins() const {
    int n = 0;
    for (const auto& j : jobs) n += j.is_twin() ? 1 : 0;
    return n;
  }
};

TEST(RunSweep, TwoDepthsOverTwoSeedsTrainTwoTwinsEqualToRunTwins) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const SweepRequest request = depth_sweep(dir, "sweep", {1, 2}, 2);
  CountingObserver observer;
  const SweepTable table = observer.run(request);

  EXPECT_EQ(observer.twins(), 2) << "one twin per seed, shared by both depths";
  EXPECT_EQ(observer.jobs.size(), 6u);
  ASSERT_EQ(table.trials.size(), 2u);
  EXPECT_EQ(table.total_trials, 2);

  // The same seeds' twins as `run --seeds 2 --twin` trains them.
  RunRequest separate;
  separate.config = tiny_config(dir);
  separate.run_dir = dir.path("separate");
  separate.repetition = {2, true};
  separate.history_path = dir.path("separate.sqlite");
  RunObserver quiet;
  RunControl control;
  const RunResult runs = run_experiment(separate, quiet, control);
  ASSERT_EQ(runs.comparison.runs.size(), 2u);
  for (const TrialResult& t : table.trials) {
    EXPECT_EQ(t.status, "finished");
    EXPECT_EQ(t.seeds, (std::vector<uint64_t>{3, 4}));
    ASSERT_EQ(t.twin_accuracy.size(), 2u);
    for (size_t i = 0; i < 2; ++i) EXPECT_EQ(t.twin_accuracy[i], runs.comparison.runs[i].baseline->test_accuracy);
    EXPECT_DOUBLE_EQ(t.gain, 100.0 * (t.mean - t.twin_mean));
    EXPECT_FALSE(t.verdict.empty());
    EXPECT_TRUE(fs::exists(fs::path(t.run_dir) / "run.json"));
    EXPECT_TRUE(fs::exists(fs::path(t.run_dir) / "config.json"));
    EXPECT_TRUE(fs::exists(fs::path(t.run_dir) / "metrics.csv"));
  }
  // The trial whose transfer config is the separate run's (partial, top 1 = depth 2) matches it exactly.
  for (const TrialResult& t : table.trials) {
    if (t.values["frozen_depth"] != 2) continue;
    for (size_t i = 0; i < 2; ++i) EXPECT_EQ(t.accuracy[i], runs.comparison.runs[i].transfer.test_accuracy);
  }
  EXPECT_TRUE(fs::exists(fs::path(request.dir) / "sweep.json"));
  EXPECT_TRUE(fs::exists(fs::path(request.dir) / "sweep.csv"));
  EXPECT_EQ(sweep_table_to_json(read_sweep(request.dir)), sweep_table_to_json(table));
}

TEST(RunSweep, AResumedSweepEndsWithTheUninterruptedTableWithoutRerunningTrials) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const SweepRequest whole = depth_sweep(dir, "whole", {0, 1, 2}, 1);
  CountingObserver uninterrupted;
  const SweepTable expected = uninterrupted.run(whole);
  ASSERT_EQ(expected.trials.size(), 3u);

  SweepRequest cut = whole;
  cut.dir = dir.path("cut");
  CountingObserver first;
  first.after_trial = [&](const TrialResult&) { first.control.cancel(); };
  EXPECT_EQ(first.run(cut).trials.size(), 1u);
  CountingObserver second;
  const SweepTable resumed = second.run(cut);

  EXPECT_EQ(second.finished_trials, (std::vector<int>{1, 2})) << "trial 0 is not run again";
  EXPECT_EQ(second.twins(), 0) << "the twin trained before the cut is reused";
  ASSERT_EQ(resumed.trials.size(), expected.trials.size());
  for (size_t i = 0; i < expected.trials.size(); ++i) {
    EXPECT_EQ(resumed.trials[i].index, expected.trials[i].index);
    EXPECT_EQ(resumed.trials[i].values, expected.trials[i].values);
    EXPECT_EQ(resumed.trials[i].accuracy, expected.trials[i].accuracy) << "bit-equal";
    EXPECT_EQ(resumed.trials[i].twin_accuracy, expected.trials[i].twin_accuracy);
  }
}

TEST(RunSweep, ADirectoryHoldingAnotherSweepIsRefused) {
  const test::TestDir dir;
  SweepRequest request = depth_sweep(dir, "sweep", {0, 1}, 1);
  SweepTable other;
  other.name = "another";
  other.spec = {{"axes", json::array()}};
  fs::create_directories(request.dir);
  write_sweep(other, request.dir);
  CountingObserver observer;
  const std::string message = test::config_error_of([&] { observer.run(request); });
  EXPECT_NE(message.find("holds another sweep"), std::string::npos) << message;
  EXPECT_NE(message.find("new output directory"), std::string::npos) << message;
  EXPECT_TRUE(observer.jobs.empty());
}

TEST(RunSweep, EveryTrialIsARunInTheHistoryGroupedUnderItsSweep) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const SweepRequest request = depth_sweep(dir, "sweep", {0, 3}, 1);
  CountingObserver observer;
  const SweepTable table = observer.run(request);
  RunHistory history(request.history_path);
  const auto rows = history.list();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.sweep, fs::absolute(request.dir).lexically_normal().string());
    EXPECT_EQ(row.name.rfind("shirts · depth=", 0), 0u) << row.name;
    EXPECT_TRUE(row.output_dir == table.trials[0].run_dir || row.output_dir == table.trials[1].run_dir);
  }
}

}  // namespace
}  // namespace tl
