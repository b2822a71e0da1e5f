#include "support/config_error.h"
#include "support/small_checkpoint.h"
#include "support/test_dir.h"
#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/experiment_config.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

using nlohmann::json;
using test::config_error;

json with_schedule(const json& schedule, int epochs = 5) {
  return {{"transfer", {{"schedule", schedule}}}, {"training", {{"epochs", epochs}}}};
}

TEST(ScheduleConfig, OmittedIsTheDefaultAndIsWrittenInFull) {
  const ExperimentConfig c = config_from_json(json::object());
  EXPECT_TRUE(c.transfer.schedule.is_default());
  const json written = config_to_json(c).at("transfer").at("schedule");
  EXPECT_EQ(written, schedule_to_json(TrainingSchedule{}));
  EXPECT_EQ(written.at("unfreeze"), "none");
  EXPECT_EQ(written.at("lr").at("shape"), "constant");
}

TEST(ScheduleConfig, RoundTripsThroughJson) {
  const json schedule = {{"unfreeze", "gradual"},
                         {"unfreeze_every", 2},
                         {"layer_decay", 0.385},
                         {"lr", {{"shape", "one_cycle"}, {"warmup_fraction", 0.2}, {"peak_ratio", 25}}}};
  const ExperimentConfig c = config_from_json(with_schedule(schedule));
  const TrainingSchedule& s = c.transfer.schedule;
  EXPECT_EQ(s.unfreeze, UnfreezeKind::Gradual);
  EXPECT_EQ(s.unfreeze_every, 2);
  EXPECT_EQ(s.layer_decay, 0.385);
  EXPECT_EQ(s.lr.shape, LrShape::OneCycle);
  EXPECT_EQ(s.lr.warmup_fraction, 0.2);
  EXPECT_EQ(s.lr.peak_ratio, 25.0);
  const ExperimentConfig again = config_from_json(config_to_json(c));
  EXPECT_EQ(again.transfer.schedule, s);
  EXPECT_EQ(config_to_json(again), config_to_json(c));

  const json two_phase = {{"unfreeze", "two_phase"}, {"head_epochs", 2}, {"lr_mult", 20},
                          {"lr", {{"shape", "step"}, {"step_epochs", 2}, {"gamma", 0.5}}}};
  const ExperimentConfig t = config_from_json(with_schedule(two_phase));
  EXPECT_EQ(config_from_json(config_to_json(t)).transfer.schedule, t.transfer.schedule);
  EXPECT_EQ(t.transfer.schedule.head_epochs, 2);
  EXPECT_EQ(t.transfer.schedule.lr.gamma, 0.5);
}

TEST(ScheduleConfig, BadValuesNameTheField) {
  EXPECT_EQ(config_error(with_schedule({{"unfreeze_every", 0}})),
            "transfer.schedule.unfreeze_every: expected an integer in 1..10000, got 0");
  EXPECT_EQ(config_error(with_schedule({{"unfreeze", "slowly"}})),
            "transfer.schedule.unfreeze: unknown unfreeze schedule 'slowly' (expected none, gradual or two_phase)");
  EXPECT_EQ(config_error(with_schedule({{"thaw", 1}})).rfind("transfer.schedule.thaw: unknown field", 0), 0u);
  EXPECT_EQ(config_error(with_schedule({{"layer_decay", 0}})),
            "transfer.schedule.layer_decay: expected a number in (0, 1], got 0");
  EXPECT_EQ(config_error(with_schedule({{"layer_decay", 1.5}})),
            "transfer.schedule.layer_decay: expected a number in [0, 1], got 1.5");
  EXPECT_EQ(config_error(with_schedule({{"lr_mult", 0.5}})),
            "transfer.schedule.lr_mult: expected a number in [1, 1e+06], got 0.5");
  EXPECT_EQ(config_error(with_schedule({{"unfreeze", "two_phase"}, {"layer_decay", 0.5}})),
            "transfer.schedule.layer_decay: expected 1 with unfreeze \"two_phase\" (its lr_mult spaces the blocks' "
            "rates), got 0.5");
  EXPECT_EQ(config_error(with_schedule({{"unfreeze", "two_phase"}, {"head_epochs", 5}}, 5)),
            "transfer.schedule.head_epochs: expected an integer below training.epochs (5), got 5");
  EXPECT_EQ(config_error(with_schedule({{"lr", {{"shape", "linear"}}}})),
            "transfer.schedule.lr.shape: unknown learning-rate shape 'linear' (expected constant, step, cosine or "
            "one_cycle)");
  EXPECT_EQ(config_error(with_schedule({{"lr", {{"gamma", 0}}}})),
            "transfer.schedule.lr.gamma: expected a number in (0, 1], got 0");
  EXPECT_EQ(config_error(with_schedule({{"lr", {{"warmup_fraction", 1}}}})),
            "transfer.schedule.lr.warmup_fraction: expected a number in (0, 1), got 1");
  EXPECT_EQ(config_error(with_schedule({{"lr", {{"peak_ratio", 0.5}}}})),
            "transfer.schedule.lr.peak_ratio: expected a number in [1, 1e+06], got 0.5");
  EXPECT_EQ(config_error(with_schedule({{"lr", {{"step_epochs", 0}}}})),
            "transfer.schedule.lr.step_epochs: expected an integer in 1..10000, got 0");
  EXPECT_EQ(config_error(with_schedule(3)), "transfer.schedule: expected an object, got 3");
}

TEST(ScheduleConfig, ScratchTwinKeepsTheRateShapeAndDropsUnfreezingAndDecay) {
  const test::TestDir dir;
  ExperimentConfig c;
  c.name = "shirts";
  c.model.pretrained = test::small_checkpoint(dir);
  c.transfer.schedule.unfreeze = UnfreezeKind::Gradual;
  c.transfer.schedule.unfreeze_every = 2;
  c.transfer.schedule.layer_decay = 0.5;
  c.transfer.schedule.lr.shape = LrShape::Cosine;
  const ExperimentConfig twin = scratch_twin(c);
  EXPECT_EQ(twin.transfer.schedule.unfreeze, UnfreezeKind::None);
  EXPECT_EQ(twin.transfer.schedule.unfreeze_every, 1);
  EXPECT_EQ(twin.transfer.schedule.layer_decay, 1.0);
  EXPECT_EQ(twin.transfer.schedule.lr, c.transfer.schedule.lr);
}

PreparedExperiment prepared_model_only(const ExperimentConfig& config) {
  PreparedExperiment p;
  p.config = config;
  static_cast<PreparedModel&>(p) = prepare_model(config);
  return p;
}

TEST(ScheduleConfig, TheTrainingJobCarriesAPlanPerEpochAndTheRateShape) {
  ExperimentConfig c;
  c.model.architecture = "small_cnn";
  c.transfer.strategy = Strategy::FullFineTuning;
  c.training.epochs = 3;
  const TrainingJob plain = make_training_job(prepared_model_only(c));
  EXPECT_TRUE(plain.epoch_plans.empty());

  c.transfer.schedule.unfreeze = UnfreezeKind::Gradual;
  c.transfer.schedule.lr.shape = LrShape::Cosine;
  const PreparedExperiment p = prepared_model_only(c);
  const TrainingJob job = make_training_job(p);
  ASSERT_EQ(job.epoch_plans.size(), 3u);
  for (int e = 1; e <= 3; ++e) {
    EXPECT_EQ(job.epoch_plans[e - 1], plan_at_epoch(p.plan, *p.model, c.transfer.schedule, e)) << e;
  }
  EXPECT_EQ(job.plan, p.plan);  // what is re-initialised and anchored stays the final plan's
  EXPECT_EQ(job.lr_schedule.shape, LrShape::Cosine);
}

}  // namespace
}  // namespace tl
