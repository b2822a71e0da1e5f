#include "support/synthetic_tasks.h"
#include "models/model_zoo.h"
#include "schedule/training_schedule.h"
#include "train/trainer.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace tl {
namespace {

using test::quadrant_task;

TrainingSchedule gradual(int every) {
  TrainingSchedule s;
  s.unfreeze = UnfreezeKind::Gradual;
  s.unfreeze_every = every;
  return s;
}

// small_cnn fully fine-tuned on a toy task, 5 batches an epoch, following `schedule`.
TrainingJob scheduled_job(const TrainingSchedule& schedule, int epochs) {
  torch::manual_seed(7);
  TrainingJob job;
  job.model = make_model("small_cnn", 4);
  job.plan = make_plan(Strategy::FullFineTuning, *job.model);
  job.train = quadrant_task(160, 11);
  job.validation = quadrant_task(64, 12);
  job.options.epochs = epochs;
  job.options.batch_size = 32;
  job.options.learning_rate = 0.05;
  job.options.seed = 7;
  for (int e = 1; e <= epochs; ++e) job.epoch_plans.push_back(plan_at_epoch(job.plan, *job.model, schedule, e));
  job.lr_schedule = schedule.lr;
  return job;
}

using Weights = std::map<std::string, torch::Tensor>;

Weights parameters_of(const torch::nn::Module& model) {
  Weights w;
  for (const auto& p : model.named_parameters()) w[p.key()] = p.value().detach().clone();
  return w;
}

// The model's parameters after each epoch, and the plan changes.
class EpochRecorder : public TrainingListener {
 public:
  explicit EpochRecorder(TransferModel model) : model_(std::move(model)) {}
  std::vector<Weights> after_epoch;
  std::vector<RunEvent> plan_changes;
  void on_epoch(const EpochEvent&) override { after_epoch.push_back(parameters_of(*model_)); }
  void on_run_event(const RunEvent& e) override {
    if (e.kind == RunEventKind::PlanChange) plan_changes.push_back(e);
  }

 private:
  TransferModel model_;
};

TEST(ScheduledTraining, AFrozenBlockStaysBitIdenticalUntilItThawsThenMoves) {
  TrainingJob job = scheduled_job(gradual(1), 4);
  const TransferModel model = job.model;
  const std::vector<Block> blocks = model->blocks();
  EpochRecorder recorder(model);
  const Weights start = parameters_of(*model);
  const TrainingOutcome outcome = Trainer::run(std::move(job), &recorder);
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  ASSERT_EQ(recorder.after_epoch.size(), 4u);
  // Gradual every epoch on 3 blocks: block3 thaws in epoch 2, block2 in 3, block1 in 4.
  for (size_t i = 0; i < blocks.size(); ++i) {
    const int thaws_at = static_cast<int>(blocks.size() - i) + 1;
    for (int epoch = 1; epoch <= 4; ++epoch) {
      const Weights& before = epoch == 1 ? start : recorder.after_epoch[epoch - 2];
      const Weights& after = recorder.after_epoch[epoch - 1];
      for (const auto& [name, w] : after) {
        if (!is_path_prefix(blocks[i].paths.front(), name)) continue;
        if (epoch < thaws_at) {
          EXPECT_TRUE(torch::equal(w, before.at(name))) << name << " moved in epoch " << epoch << " while frozen";
        } else if (name.find("weight") != std::string::npos) {
          EXPECT_FALSE(torch::equal(w, before.at(name))) << name << " did not move in epoch " << epoch;
        }
      }
    }
  }
  // One marker per thaw, at the first batch of its epoch.
  ASSERT_EQ(recorder.plan_changes.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const RunEvent& e = recorder.plan_changes[k];
    EXPECT_EQ(e.epoch, static_cast<int>(k) + 2);
    EXPECT_EQ(e.batch, 0);
    EXPECT_EQ(e.details.rfind("schedule: unfrozen: " + blocks[2 - k].paths.front(), 0), 0u) << e.details;
  }
}

TEST(ScheduledTraining, RebuildsTheFeatureCacheOnlyWhenTheFrozenPrefixChanges) {
  // Thaws at epochs 3 and 5 (prefix 3 -> 2 -> 1); epochs 2 and 4 keep the cache.
  const TrainingOutcome outcome = Trainer::run(scheduled_job(gradual(2), 5));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_EQ(outcome.cached_prefix_blocks, 3);
  EXPECT_EQ(outcome.feature_cache_builds, 3);
}

// Cancels after the first step, so the weights show the rates of that step.
class StopAfterFirstStep : public TrainingListener {
 public:
  Trainer* trainer = nullptr;
  void on_batch(const BatchEvent&) override { trainer->cancel(); }
};

TransferModel after_first_step(TrainingJob job) {
  StopAfterFirstStep stop;
  Trainer trainer(std::move(job), &stop);
  stop.trainer = &trainer;
  trainer.start();
  return trainer.wait().model;
}

TEST(ScheduledTraining, EachGroupStepsAtBaseRateTimesItsMultiplierTimesTheFactor) {
  // One-cycle starts at 1/32 of the peak and layer decay 0.5 gives blocks
  // 0.125, 0.25, 0.5: every product is exact, so a run without a schedule
  // at a 32x smaller rate on the decayed plan takes the very same first step.
  TrainingSchedule s;
  s.layer_decay = 0.5;
  s.lr.shape = LrShape::OneCycle;
  TrainingJob scheduled = scheduled_job(s, 2);
  const FreezePlan decayed = scheduled.epoch_plans.front();
  ASSERT_EQ(decayed.setting_for("features.0").lr_multiplier, 0.125);
  TrainingJob by_hand = scheduled_job(TrainingSchedule{}, 2);
  by_hand.epoch_plans.clear();
  by_hand.plan = decayed;
  by_hand.options.learning_rate = 0.05 / 32.0;
  const Weights a = parameters_of(*after_first_step(std::move(scheduled)));
  const Weights b = parameters_of(*after_first_step(std::move(by_hand)));
  TrainingJob plain = scheduled_job(TrainingSchedule{}, 2);
  const Weights start = parameters_of(*plain.model);
  for (const auto& [name, w] : a) {
    EXPECT_TRUE(torch::equal(w, b.at(name))) << name;
    if (name.find("weight") != std::string::npos) EXPECT_FALSE(torch::equal(w, start.at(name))) << name;
  }
}

TEST(ScheduledTraining, RefusesAPlanListThatDoesNotCoverEveryEpoch) {
  TrainingJob job = scheduled_job(gradual(1), 3);
  job.epoch_plans.pop_back();
  const TrainingOutcome outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.message, "schedule: expected a plan for each of the 3 epochs, got 2");
}

}  // namespace
}  // namespace tl
