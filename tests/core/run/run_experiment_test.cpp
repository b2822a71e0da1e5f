#include "run/run_experiment.h"

#include "experiment/model_export.h"
#include "history/run_history.h"
#include "support/fashion_mnist.h"
#include "support/small_checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace tl {
namespace {

RunRequest request_in(const test::TestDir& dir, int epochs = 1) {
  RunRequest r;
  r.config.name = "shirts";
  r.config.model.pretrained = test::small_checkpoint(dir);
  r.config.target.classes = {0, 1};
  r.config.target.shots_per_class = 20;
  r.config.target.test_per_class = 20;
  r.config.target.val_fraction = 0.02;
  r.config.transfer.strategy = Strategy::PartialFineTuning;
  r.config.training.epochs = epochs;
  r.config.training.batch_size = 8;
  r.config.training.seed = 3;
  r.run_dir = dir.path("run");
  r.history_path = dir.path("runs.sqlite");
  return r;
}

/// Writes down what it hears, in order, and can act on an epoch; runs a
/// request with a control of its own.
class RecordingObserver : public RunObserver {
 public:
  RunControl control;
  std::vector<std::string> steps;
  std::vector<JobIdentity> jobs;
  int drift_reports = 0;
  std::function<void(const EpochEvent&)> after_epoch;

  RunResult run(const RunRequest& request) { return run_experiment(request, *this, control); }

  void on_run_started(const RunStart& s) override { steps.push_back("started: " + s.summary); }
  void on_job_started(const JobIdentity& job) override {
    jobs.push_back(job);
    steps.push_back("job " + job_label(job));
  }
  bool wants_layer_drift() const override { return true; }
  void on_layer_drift(const std::vector<LayerRecord>& layers) override {
    if (!layers.empty()) ++drift_reports;
  }
  void on_evaluating(const JobIdentity&) override { steps.push_back("evaluating"); }
  void on_epoch(const EpochEvent& e) override {
    steps.push_back("epoch " + std::to_string(e.epoch));
    if (after_epoch) after_epoch(e);
  }
};

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(test::read_file(file)); }

TEST(RunExperiment, ASingleRunWritesItsFilesAndReportsEachStep) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const RunRequest request = request_in(dir, 2);
  RecordingObserver observer;
  const RunResult result = observer.run(request);

  EXPECT_EQ(result.status, RunStatus::Finished);
  EXPECT_TRUE(result.single);
  ASSERT_EQ(result.comparison.runs.size(), 1u);
  EXPECT_EQ(observer.steps, (std::vector<std::string>{
                                "started: shirts: small_cnn, 40 training / 240 validation / 40 test images, strategy "
                                "partial_fine_tuning",
                                "job transfer", "epoch 1", "epoch 2", "evaluating"}));
  EXPECT_EQ(observer.drift_reports, 2);
  for (const char* file : {"config.json", "run.json", "metrics.csv", "model.safetensors", "model.json",
                           "checkpoint.safetensors", "events.jsonl"}) {
    EXPECT_TRUE(fs::exists(fs::path(request.run_dir) / file)) << file;
  }
  const nlohmann::json run = read_json(fs::path(request.run_dir) / "run.json");
  EXPECT_EQ(run["status"], "finished");
  EXPECT_DOUBLE_EQ(run["final"]["test_accuracy"].get<double>(), result.transfer_test_accuracy());

  RunHistory history(request.history_path);
  const auto rows = history.list();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].origin, "cli");
  EXPECT_EQ(rows[0].output_dir, fs::absolute(request.run_dir).lexically_normal().string());
  EXPECT_TRUE(result.history_warning.empty()) << result.history_warning;
}

// The evaluation policy (make_run_record): only a finished run is evaluated
// on the test split; a stopped one keeps its curves and drift.
TEST(RunExperiment, AStoppedRunIsRecordedWithoutATestAccuracyOrModel) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const RunRequest request = request_in(dir, 3);
  RecordingObserver observer;
  observer.after_epoch = [&](const EpochEvent&) { observer.control.cancel(); };
  const RunResult result = observer.run(request);

  EXPECT_EQ(result.status, RunStatus::Cancelled);
  EXPECT_EQ(std::count(observer.steps.begin(), observer.steps.end(), "evaluating"), 0);
  const nlohmann::json run = read_json(fs::path(request.run_dir) / "run.json");
  EXPECT_EQ(run["status"], "cancelled");
  EXPECT_TRUE(run["final"]["test_accuracy"].is_null());
  EXPECT_TRUE(run["final"]["test_per_class_accuracy"].is_null());
  EXPECT_GT(run["final"]["val_accuracy"].get<double>(), 0.0);
  EXPECT_FALSE(run["layers"].empty());
  EXPECT_FALSE(fs::exists(fs::path(request.run_dir) / kExportedWeightsFile));
  EXPECT_FALSE(RunHistory(request.history_path).list().front().test_accuracy.has_value());
}

TEST(RunExperiment, AStoppedRunResumesToTheEndOfAnUninterruptedOne) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  RunRequest request = request_in(dir, 2);
  RecordingObserver stopper;
  stopper.after_epoch = [&](const EpochEvent&) { stopper.control.cancel(); };
  ASSERT_EQ(stopper.run(request).status, RunStatus::Cancelled);

  RecordingObserver observer;
  RunRequest resume = resume_request(request.run_dir, "gui");
  resume.history_path = request.history_path;
  const RunResult resumed = observer.run(resume);
  ASSERT_EQ(resumed.status, RunStatus::Finished);

  request.run_dir = dir.path("uninterrupted");
  RecordingObserver quiet;
  const RunResult whole = quiet.run(request);
  const auto& a = resumed.comparison.runs.front().transfer;
  const auto& b = whole.comparison.runs.front().transfer;
  ASSERT_EQ(a.epochs.size(), 2u);
  EXPECT_EQ(a.epochs.back().val_loss, b.epochs.back().val_loss);
  EXPECT_EQ(a.test_accuracy, b.test_accuracy);
  EXPECT_EQ(RunHistory(request.history_path).list().size(), 3u);
}

TEST(RunExperiment, AComparisonNamesItsJobsByTypeAndExportsBothModels) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  RunRequest request = request_in(dir);
  request.repetition = {2, true};
  RecordingObserver observer;
  const RunResult result = observer.run(request);

  ASSERT_EQ(result.status, RunStatus::Finished) << result.message;
  EXPECT_FALSE(result.single);
  EXPECT_TRUE(result.twin_written);
  ASSERT_TRUE(result.comparison.verdict.has_value());
  ASSERT_EQ(observer.jobs.size(), 4u);
  EXPECT_EQ(observer.jobs[0], (JobIdentity{3, JobRole::Transfer, 0, 4, 2}));
  EXPECT_EQ(observer.jobs[1], (JobIdentity{3, JobRole::ScratchTwin, 1, 4, 2}));
  EXPECT_EQ(observer.jobs[3], (JobIdentity{4, JobRole::ScratchTwin, 3, 4, 2}));
  EXPECT_EQ(observer.steps.front(), "started: shirts: 4 run(s), 2 seed(s), each with its twin");
  EXPECT_EQ(observer.drift_reports, 2);  // the transfer runs' epochs only
  const fs::path run_dir(request.run_dir);
  for (const fs::path file : {run_dir / "config.json", run_dir / kExportedWeightsFile, run_dir / "twin" / "run.json",
                              run_dir / "twin" / kExportedWeightsFile, run_dir / "twin" / kExportedMetadataFile}) {
    EXPECT_TRUE(fs::exists(file)) << file;
  }
  EXPECT_FALSE(fs::exists(run_dir / "checkpoint.safetensors"));  // only a single run keeps checkpoints
  const auto rows = RunHistory(request.history_path).list();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, verdict_label_name(result.comparison.verdict->label));
}

TEST(RunExperiment, OnlyASingleRunResumes) {
  const test::TestDir dir;
  RunRequest request;
  request.run_dir = dir.path("run");
  request.resume = true;
  request.repetition = {3, false};
  RecordingObserver observer;
  try {
    observer.run(request);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "resume: only a single run (one seed, no twin) keeps checkpoints to resume from");
  }
}

}  // namespace
}  // namespace tl
