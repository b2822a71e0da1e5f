#include "support/synthetic_tasks.h"
#include "support/test_dir.h"
#include "models/model_zoo.h"
#include "train/trainer.h"
#include "schedule/training_schedule.h"
#include "train/training_checkpoint.h"
#include "transfer/strategy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <thread>

namespace tl {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using test::quadrant_task;
using test::snapshot;

// The same job every call: fresh model and data from the seed, as a resumed
// run rebuilds them from its config.
TrainingJob job_for(Strategy strategy, int epochs, OptimizerKind optimizer = OptimizerKind::Sgd) {
  torch::manual_seed(5);
  TrainingJob job;
  job.model = make_model("small_cnn", 4);
  job.plan = make_plan(strategy, *job.model, {1, 0.0});
  job.train = quadrant_task(160, 11);
  job.validation = quadrant_task(64, 12);
  job.options.epochs = epochs;
  job.options.batch_size = 32;
  job.options.learning_rate = optimizer == OptimizerKind::Adam ? 0.002 : 0.05;
  job.options.optimizer = optimizer;
  job.options.seed = 5;
  return job;
}

// Runs job_for(FullFineTuning, epochs) to its end in `dir`, which keeps its
// checkpoint after the last epoch.
void run_to_end_in(const std::string& dir, int epochs) {
  TrainingJob job = job_for(Strategy::FullFineTuning, epochs);
  job.run_dir = dir;
  ASSERT_EQ(Trainer::run(std::move(job)).status, RunStatus::Finished);
}

// Resumes job_for(FullFineTuning, epochs) from the checkpoint in `dir`.
TrainingOutcome resume_in(const std::string& dir, int epochs) {
  TrainingJob job = job_for(Strategy::FullFineTuning, epochs);
  job.run_dir = dir;
  job.resume = true;
  return Trainer::run(std::move(job));
}

// Pauses or cancels at a chosen batch (counted over the run) and records events.
class Script : public TrainingListener {
 public:
  Trainer* trainer = nullptr;
  int64_t pause_at = -1, cancel_at = -1;
  std::atomic<int64_t> batches{0};
  std::atomic<bool> paused{false};
  std::vector<RunEvent> events;  // read after wait()
  std::vector<int> epochs;       // read after wait()

  void on_batch(const BatchEvent&) override {
    const auto n = ++batches;
    if (n == pause_at) trainer->pause();
    if (n == cancel_at) trainer->cancel();
  }
  void on_epoch(const EpochEvent& e) override { epochs.push_back(e.epoch); }
  void on_paused(bool p) override { paused = p; }
  void on_run_event(const RunEvent& e) override { events.push_back(e); }
  bool saw(RunEventKind kind, const std::string& text) const {
    for (const auto& e : events) {
      if (e.kind == kind && e.details.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

void wait_until(const std::atomic<bool>& flag) {
  while (!flag) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void expect_same_epochs(const std::vector<EpochEvent>& a, const std::vector<EpochEvent>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("epoch " + std::to_string(i + 1));
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].train_loss, b[i].train_loss);
    EXPECT_EQ(a[i].train_accuracy, b[i].train_accuracy);
    EXPECT_EQ(a[i].val_loss, b[i].val_loss);
    EXPECT_EQ(a[i].val_accuracy, b[i].val_accuracy);
    EXPECT_EQ(a[i].domain_accuracy, b[i].domain_accuracy);
  }
}

void expect_same_weights(const TransferModel& a, const TransferModel& b) {
  const auto sa = snapshot(*a), sb = snapshot(*b);
  for (const auto& [name, t] : sa) EXPECT_TRUE(torch::equal(t, sb.at(name))) << name;
}

// Stops `job` at batch `cancel_at` (after a pause there when `pause_first`,
// which writes a mid-epoch checkpoint), then resumes a fresh copy of the job,
// or the job make_resumed_job gives when there is one.
TrainingOutcome interrupted_then_resumed(const std::function<TrainingJob()>& make_job, const std::string& dir,
                                         int64_t stop_at, bool pause_first,
                                         const std::function<TrainingJob()>& make_resumed_job = {}) {
  {
    Script script;
    TrainingJob job = make_job();
    job.run_dir = dir;
    Trainer trainer(std::move(job), &script);
    script.trainer = &trainer;
    (pause_first ? script.pause_at : script.cancel_at) = stop_at;
    trainer.start();
    if (pause_first) {
      wait_until(script.paused);
      trainer.cancel();
    }
    EXPECT_EQ(trainer.wait().status, RunStatus::Cancelled);
  }
  TrainingJob job = make_resumed_job ? make_resumed_job() : make_job();
  job.run_dir = dir;
  job.resume = true;
  Script script;
  TrainingOutcome outcome = Trainer::run(std::move(job), &script);
  EXPECT_TRUE(script.saw(RunEventKind::Resume, "checkpoint.safetensors"));
  // The checkpoint's epochs are reported first, then the rest: each once.
  std::vector<int> every_epoch(outcome.epochs.size());
  std::iota(every_epoch.begin(), every_epoch.end(), 1);
  EXPECT_EQ(script.epochs, every_epoch);
  return outcome;
}

// The job run straight through and interrupted at run batch `stop_at` then
// resumed must end with the same metrics and weights.
void expect_resume_matches_uninterrupted(const std::function<TrainingJob()>& make_job, int64_t stop_at,
                                         bool pause_first) {
  const TrainingOutcome straight = Trainer::run(make_job());
  ASSERT_EQ(straight.status, RunStatus::Finished) << straight.message;
  test::TestDir dir;
  const TrainingOutcome resumed = interrupted_then_resumed(make_job, dir.path(), stop_at, pause_first);
  ASSERT_EQ(resumed.status, RunStatus::Finished) << resumed.message;
  expect_same_epochs(straight.epochs, resumed.epochs);
  expect_same_weights(straight.model, resumed.model);
}

class ResumeWithOptimizer : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(ResumeWithOptimizer, ResumedRunEndsWithTheSameMetricsAsAnUninterruptedOne) {
  const OptimizerKind optimizer = GetParam();
  // 5 batches an epoch: batch 8 is inside epoch 2, so the run resumes after epoch 1.
  expect_resume_matches_uninterrupted([optimizer] { return job_for(Strategy::FullFineTuning, 3, optimizer); }, 8,
                                      /*pause_first=*/false);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, ResumeWithOptimizer, ::testing::Values(OptimizerKind::Sgd, OptimizerKind::Adam));

TEST(Resume, FromAPauseCheckpointInsideAnEpoch) {
  expect_resume_matches_uninterrupted([] { return job_for(Strategy::FullFineTuning, 2); }, 7, /*pause_first=*/true);
}

// DANN adds a domain head, a second batch stream and a cached frozen prefix.
TEST(Resume, DannOnACachedPrefixResumesExactly) {
  const auto make_job = [] {
    TrainingJob job = job_for(Strategy::PartialFineTuning, 3);
    job.dann = DannSetup{quadrant_task(96, 21, /*inverted=*/true), {}, 1.0};
    return job;
  };
  ASSERT_EQ(Trainer::run(make_job()).cached_prefix_blocks, 2);  // the case this test is about
  expect_resume_matches_uninterrupted(make_job, 12, /*pause_first=*/true);
}

// The thread count and the weights' memory layout change the rounding: a run
// resumed on a machine with other cores, or by a build that trains in
// another layout, continues with those of its checkpoint.
TEST(Resume, KeepsTheThreadCountAndWeightLayoutOfItsCheckpoint) {
  const auto make_job = [](int threads, bool channels_last) {
    return [=] {
      TrainingJob job = job_for(Strategy::FullFineTuning, 3);
      job.options.threads = threads;
      job.options.channels_last = channels_last;
      return job;
    };
  };
  const TrainingOutcome straight = Trainer::run(make_job(1, false)());
  ASSERT_EQ(straight.status, RunStatus::Finished) << straight.message;
  EXPECT_EQ(straight.threads, 1);
  EXPECT_FALSE(straight.channels_last);
  test::TestDir dir;
  const TrainingOutcome resumed =
      interrupted_then_resumed(make_job(1, false), dir.path(), 8, /*pause_first=*/false, make_job(2, true));
  ASSERT_EQ(resumed.status, RunStatus::Finished) << resumed.message;
  EXPECT_EQ(resumed.threads, 1);
  EXPECT_FALSE(resumed.channels_last);
  expect_same_epochs(straight.epochs, resumed.epochs);
  expect_same_weights(straight.model, resumed.model);
}

TEST(Resume, ACheckpointWithAnImpossibleThreadCountIsRefusedByName) {
  test::TestDir dir;
  run_to_end_in(dir.path(), 2);
  const std::string path = training_checkpoint_path(dir.path());
  TrainingCheckpoint ckpt = load_training_checkpoint(path);
  EXPECT_EQ(ckpt.progress.at("channels_last"), true);
  ckpt.progress["threads"] = 0;
  save_training_checkpoint(ckpt, path);
  const TrainingOutcome outcome = resume_in(dir.path(), 2);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_THAT(outcome.message, HasSubstr("cannot resume from it: threads 0 is out of range"));
}

TEST(Resume, ACheckpointOfAnotherRunIsRefusedByName) {
  test::TestDir dir;
  run_to_end_in(dir.path(), 1);
  const TrainingOutcome outcome = resume_in(dir.path(), 4);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_THAT(outcome.message, HasSubstr("checkpoint.safetensors: cannot resume from it: epochs is 1 but this run has 4"));
}

TEST(Checkpoint, WrittenAfterEveryEpochWithTheRunSoFar) {
  test::TestDir dir;
  TrainingJob job = job_for(Strategy::FullFineTuning, 2);
  job.run_dir = dir.path();
  Script script;
  ASSERT_EQ(Trainer::run(std::move(job), &script).status, RunStatus::Finished);
  const TrainingCheckpoint ckpt = load_training_checkpoint(training_checkpoint_path(dir.path()));
  EXPECT_EQ(ckpt.progress.at("next_epoch"), 3);
  EXPECT_EQ(ckpt.progress.at("completed_epochs").size(), 2u);
  EXPECT_TRUE(ckpt.tensors.count("model/classifier.weight"));
  EXPECT_TRUE(ckpt.tensors.count("optimizer/model/classifier.weight/momentum_buffer"));
  EXPECT_TRUE(ckpt.tensors.count("rng/order"));
  EXPECT_TRUE(script.saw(RunEventKind::Checkpoint, "after epoch 1"));
  EXPECT_TRUE(script.saw(RunEventKind::Checkpoint, "after epoch 2"));
  const auto logged = read_run_events(dir.path());
  ASSERT_GE(logged.size(), 4u);
  EXPECT_EQ(logged.front().kind, RunEventKind::Start);
  EXPECT_EQ(logged.back().kind, RunEventKind::End);
}

// A crash while a checkpoint is written leaves its temporary file behind, cut
// short; the checkpoint itself is the previous one, whole.
TEST(Checkpoint, ACrashDuringAWriteLeavesThePreviousCheckpointLoadable) {
  test::TestDir dir;
  run_to_end_in(dir.path(), 1);
  const std::string path = training_checkpoint_path(dir.path());
  const auto whole = fs::file_size(path);
  test::write_file(path + ".tmp-99999", test::read_file(path).substr(0, whole / 2));
  EXPECT_NO_THROW(load_training_checkpoint(path));
  EXPECT_THROW(load_training_checkpoint(path + ".tmp-99999"), std::runtime_error);
  // A run that finished its only epoch resumes to the same end.
  const TrainingOutcome outcome = resume_in(dir.path(), 1);
  EXPECT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_EQ(outcome.epochs.size(), 1u);
}

TEST(Checkpoint, AFailedWriteKeepsTheOldFileAndNamesThePath) {
  test::TestDir dir;
  TrainingCheckpoint ckpt;
  ckpt.tensors["x"] = torch::ones({3});
  const std::string path = training_checkpoint_path(dir.path());
  save_training_checkpoint(ckpt, path);
  // A directory in place of the temporary file makes the write fail.
  fs::create_directory(path + ".tmp-" + std::to_string(::getpid()));
  ckpt.tensors["x"] = torch::zeros({3});
  try {
    save_training_checkpoint(ckpt, path);
    FAIL() << "expected the write to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
  EXPECT_TRUE(torch::equal(load_training_checkpoint(path).tensors.at("x"), torch::ones({3})));
}

// Root ignores permissions, so the directory is made unwritable by putting it
// under a regular file.
TEST(Checkpoint, AnUnwritableRunDirectoryIsReportedAndTheRunFinishes) {
  TrainingJob job = job_for(Strategy::FullFineTuning, 2);
  job.run_dir = "/dev/null/run";
  Script script;
  const TrainingOutcome outcome = Trainer::run(std::move(job), &script);
  EXPECT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_EQ(outcome.epochs.size(), 2u);
  EXPECT_TRUE(script.saw(RunEventKind::Warning, "/dev/null/run: cannot create the run directory"));
  EXPECT_TRUE(script.saw(RunEventKind::Warning, "checkpoint not saved: /dev/null/run/checkpoint.safetensors"));
}

TEST(NanGuard, AHugeLearningRateStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  test::TestDir dir;
  TrainingJob job = job_for(Strategy::FullFineTuning, 3);
  job.run_dir = dir.path();
  const FreezePlan plan = job.plan;
  Script script;
  Trainer trainer(std::move(job), &script);
  script.trainer = &trainer;
  script.pause_at = 5;  // the last batch of epoch 1: the run parks before epoch 2
  trainer.start();
  wait_until(script.paused);
  trainer.update({plan, 1e30});
  trainer.resume();
  const TrainingOutcome outcome = trainer.wait();

  EXPECT_EQ(outcome.status, RunStatus::Diverged);
  EXPECT_THAT(outcome.message, HasSubstr("at epoch 2, batch "));
  EXPECT_THAT(outcome.message, HasSubstr("the learning rate 1e+30 is probably too high - try 1e+28"));
  EXPECT_THAT(outcome.message, HasSubstr("the checkpoint paused in epoch 2 after batch 0 is kept"));
  EXPECT_EQ(outcome.epochs.size(), 1u);
  const TrainingCheckpoint ckpt = load_training_checkpoint(training_checkpoint_path(dir.path()));
  EXPECT_EQ(ckpt.progress.at("completed_epochs").size(), 1u);
  EXPECT_EQ(ckpt.progress.at("learning_rate"), 0.05);
  for (const auto& [name, t] : ckpt.tensors) {
    if (t.is_floating_point()) EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << name;
  }
  EXPECT_TRUE(script.saw(RunEventKind::PlanChange, "learning rate 0.05 -> 1e+30"));
  EXPECT_TRUE(script.saw(RunEventKind::Diverged, "loss became"));
}

TEST(PlanChange, TakesEffectAtTheNextBatchAndIsLogged) {
  test::TestDir dir;
  TrainingJob job = job_for(Strategy::PartialFineTuning, 2);  // features.2 and the head train
  job.run_dir = dir.path();
  const TransferModel model = job.model;
  FreezePlan edited = job.plan;
  edited.set("features.1", {true, 1.0});
  edited.set("features.2", {false, 1.0});
  Script script;
  Trainer trainer(std::move(job), &script);
  script.trainer = &trainer;
  script.pause_at = 3;
  trainer.start();
  wait_until(script.paused);
  const auto at_pause = snapshot(*model);  // the training thread is parked
  trainer.update({edited, 0.02});
  trainer.resume();
  const TrainingOutcome outcome = trainer.wait();
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;

  const auto after = snapshot(*model);
  EXPECT_FALSE(torch::equal(after.at("features.1.0.weight"), at_pause.at("features.1.0.weight")))
      << "the unfrozen block did not train";
  EXPECT_TRUE(torch::equal(after.at("features.2.0.weight"), at_pause.at("features.2.0.weight")))
      << "the frozen block still moved";
  EXPECT_TRUE(torch::equal(after.at("features.0.0.weight"), at_pause.at("features.0.0.weight")));
  EXPECT_FALSE(model->named_parameters()["features.2.0.weight"].requires_grad());
  EXPECT_TRUE(model->named_parameters()["features.1.0.weight"].requires_grad());
  EXPECT_TRUE(script.saw(RunEventKind::PlanChange, "learning rate 0.05 -> 0.02"));
  EXPECT_TRUE(script.saw(RunEventKind::PlanChange, "unfrozen: features.1"));
  EXPECT_TRUE(script.saw(RunEventKind::PlanChange, "frozen: features.2"));
  bool logged = false;
  for (const auto& e : read_run_events(dir.path())) {
    if (e.kind == RunEventKind::PlanChange) {
      logged = true;
      EXPECT_EQ(e.epoch, 1);
      EXPECT_EQ(e.batch, 3);
    }
  }
  EXPECT_TRUE(logged);
}

// Pauses at batch 3 of 5 in epoch 1, raises the learning rate, resumes and
// stops at run batch `cancel_at`; then resumes the run from its checkpoint
// and returns the plan changes the resumed trainer reported.
std::vector<RunEvent> plan_changes_replayed_on_resume(const std::string& dir, int64_t cancel_at) {
  {
    TrainingJob job = job_for(Strategy::PartialFineTuning, 3);
    job.run_dir = dir;
    FreezePlan plan = job.plan;
    Script script;
    Trainer trainer(std::move(job), &script);
    script.trainer = &trainer;
    script.pause_at = 3;
    script.cancel_at = cancel_at;
    trainer.start();
    wait_until(script.paused);
    trainer.update({plan, 0.02});
    trainer.resume();
    EXPECT_EQ(trainer.wait().status, RunStatus::Cancelled);
  }
  TrainingJob job = job_for(Strategy::PartialFineTuning, 3);
  job.run_dir = dir;
  job.resume = true;
  Script script;
  EXPECT_EQ(Trainer::run(std::move(job), &script).status, RunStatus::Finished);
  std::vector<RunEvent> changes;
  for (const auto& e : script.events) {
    if (e.kind == RunEventKind::PlanChange) changes.push_back(e);
  }
  return changes;
}

TEST(PlanChange, ReportedAgainWhenTheRunResumesFromALaterCheckpoint) {
  test::TestDir dir;
  // Stopped in epoch 2: the checkpoint after epoch 1 holds the new rate.
  const std::vector<RunEvent> changes = plan_changes_replayed_on_resume(dir.path(), 8);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].details, "learning rate 0.05 -> 0.02");
  EXPECT_EQ(changes[0].epoch, 1);
  EXPECT_EQ(changes[0].batch, 3);
  EXPECT_EQ(changes[0].batches_per_epoch, 5);  // so the marker lands at epoch 0.6 again
  int logged = 0;
  for (const auto& e : read_run_events(dir.path())) logged += e.kind == RunEventKind::PlanChange;
  EXPECT_EQ(logged, 1) << "the replay must not be logged a second time";
}

TEST(PlanChange, NotReportedWhenTheCheckpointPredatesIt) {
  test::TestDir dir;
  // Stopped in epoch 1: only the pause checkpoint, taken before the change.
  EXPECT_TRUE(plan_changes_replayed_on_resume(dir.path(), 4).empty());
}

/// Trains `job`, pausing after its first batch to apply `plan` with
/// learning rate 0.05, and returns the outcome; `script` hears every event.
TrainingOutcome train_with_update_while_paused(TrainingJob job, const FreezePlan& plan, Script& script) {
  Trainer trainer(std::move(job), &script);
  script.trainer = &trainer;
  script.pause_at = 1;
  trainer.start();
  wait_until(script.paused);
  trainer.update({plan, 0.05});
  trainer.resume();
  return trainer.wait();
}

TEST(PlanChange, APlanWithNothingToTrainIsReportedAndIgnored) {
  TrainingJob job = job_for(Strategy::FullFineTuning, 1);
  FreezePlan nothing = job.plan;
  nothing.set("", {false, 1.0});
  for (const auto& [path, s] : job.plan.entries()) nothing.set(path, {false, 1.0});
  Script script;
  const TrainingOutcome outcome = train_with_update_while_paused(std::move(job), nothing, script);
  EXPECT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_TRUE(script.saw(RunEventKind::Warning, "the change of the freeze plan was not applied: nothing to train"));
}

TEST(PlanChange, TheSettingsInForceAreNotLoggedAsAChange) {
  TrainingJob job = job_for(Strategy::FullFineTuning, 1);
  const FreezePlan same = job.plan;
  Script script;
  EXPECT_EQ(train_with_update_while_paused(std::move(job), same, script).status, RunStatus::Finished);
  for (const auto& e : script.events) EXPECT_NE(e.kind, RunEventKind::PlanChange) << e.details;
}

// Gradual unfreezing (a block a epoch) with a one-cycle rate, 5 batches an epoch.
TrainingJob scheduled_job_for() {
  TrainingJob job = job_for(Strategy::FullFineTuning, 4);
  TrainingSchedule s;
  s.unfreeze = UnfreezeKind::Gradual;
  s.lr.shape = LrShape::OneCycle;
  for (int e = 1; e <= 4; ++e) job.epoch_plans.push_back(plan_at_epoch(job.plan, *job.model, s, e));
  job.lr_schedule = s.lr;
  return job;
}

TEST(Resume, MidScheduleAfterAThawResumesExactly) {
  // Stopped in epoch 3, after the thaws of epochs 2 and 3: resumes after epoch 2.
  expect_resume_matches_uninterrupted(scheduled_job_for, 13, /*pause_first=*/false);
}

TEST(Resume, FromAPauseAtTheFirstBatchOfAThawResumesExactly) {
  // Paused after epoch 2's last batch: the checkpoint at epoch 3, batch 0 holds
  // the plan before epoch 3's thaw, which the resumed run then takes.
  expect_resume_matches_uninterrupted(scheduled_job_for, 10, /*pause_first=*/true);
}

}  // namespace
}  // namespace tl
