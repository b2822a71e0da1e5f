#include "support/synthetic_tasks.h"
#include "models/model_zoo.h"
#include "models/progressive_network.h"
#include "train/trainer.h"
#include "transfer/gradient_reversal.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <vector>

namespace tl {
namespace {

using test::quadrant_task;
using test::snapshot;

// Two classes: is the bright quadrant in the top half?
Dataset top_or_bottom(const Dataset& quadrants) {
  Dataset d = quadrants;
  d.labels = quadrants.labels.div(2, "floor");
  d.class_names = {"top", "bottom"};
  return d;
}

TrainingJob job_for(Strategy strategy, int epochs, uint64_t seed = 3) {
  torch::manual_seed(seed);
  TrainingJob job;
  job.model = make_model("small_cnn", 4);
  job.plan = make_plan(strategy, *job.model, {1, 0.0});
  job.train = quadrant_task(128, 11);
  job.validation = quadrant_task(64, 12);
  job.options.epochs = epochs;
  job.options.batch_size = 32;
  job.options.learning_rate = 0.05;
  job.options.seed = seed;
  job.options.cache_frozen_features = false;
  return job;
}

double drift(const std::map<std::string, torch::Tensor>& before, const torch::nn::Module& m, const std::string& prefix) {
  double squared = 0.0;
  for (const auto& p : m.named_parameters()) {
    if (p.key().rfind(prefix, 0) == 0) squared += (p.value() - before.at(p.key())).pow(2).sum().item<double>();
  }
  return std::sqrt(squared);
}

class EventLog : public TrainingListener {
 public:
  std::vector<BatchEvent> batches;
  std::vector<EpochEvent> epochs;
  void on_batch(const BatchEvent& e) override { batches.push_back(e); }
  void on_epoch(const EpochEvent& e) override { epochs.push_back(e); }
};

TEST(Dann, TrainsAndReportsDomainAccuracyAndLambda) {
  auto job = job_for(Strategy::FullFineTuning, 3);
  job.dann = DannSetup{quadrant_task(96, 21, /*inverted=*/true), {}, 1.0};
  EventLog log;
  const auto outcome = Trainer::run(std::move(job), &log);
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  ASSERT_EQ(outcome.epochs.size(), 3u);
  EXPECT_LT(outcome.epochs.back().train_loss, outcome.epochs.front().train_loss);
  ASSERT_EQ(log.batches.size(), 12u);
  for (size_t i = 0; i < log.batches.size(); ++i) {
    EXPECT_DOUBLE_EQ(log.batches[i].lambda, dann_lambda(static_cast<double>(i) / 12.0));
    EXPECT_GE(log.batches[i].domain_accuracy, 0.0);
    EXPECT_LE(log.batches[i].domain_accuracy, 1.0);
  }
  EXPECT_DOUBLE_EQ(outcome.epochs.back().lambda, dann_lambda(11.0 / 12.0));
  EXPECT_GE(outcome.epochs.back().domain_accuracy, 0.0);
}

// The source-only control: the domain classifier learns to tell the domains
// apart while the model trains exactly as if the domain loss were absent.
TEST(Dann, TheSourceOnlyControlLearnsTheDomainsButLeavesTheFeaturesAlone) {
  auto control = job_for(Strategy::FullFineTuning, 3);
  control.dann = DannSetup{quadrant_task(96, 21, /*inverted=*/true), {}, 1.0};
  control.dann->adversarial = false;
  auto weightless = job_for(Strategy::FullFineTuning, 3);
  weightless.dann = DannSetup{quadrant_task(96, 21, /*inverted=*/true), {}, 0.0};
  auto control_model = control.model;
  auto weightless_model = weightless.model;
  EventLog log;
  ASSERT_EQ(Trainer::run(std::move(control), &log).status, RunStatus::Finished);
  ASSERT_EQ(Trainer::run(std::move(weightless)).status, RunStatus::Finished);
  for (const auto& b : log.batches) EXPECT_EQ(b.lambda, 0.0);
  EXPECT_GT(log.epochs.back().domain_accuracy, 0.75);  // inverted images are easy to tell apart (chance: 0.5)
  const auto trained = snapshot(*weightless_model);
  for (const auto& [name, tensor] : snapshot(*control_model)) {
    EXPECT_TRUE(torch::allclose(tensor, trained.at(name), 1e-5, 1e-6)) << name;
  }
}

TEST(Dann, KeepsFrozenBlocksBitIdenticalAndTrainsTheRest) {
  auto job = job_for(Strategy::PartialFineTuning, 1);
  job.dann = DannSetup{quadrant_task(64, 21, true), {}, 1.0};
  auto model = job.model;
  const auto before = snapshot(*model);
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  for (const auto& [name, tensor] : snapshot(*model)) {
    if (name.find("num_batches_tracked") != std::string::npos) continue;
    const bool frozen = name.rfind("features.0", 0) == 0 || name.rfind("features.1", 0) == 0;
    EXPECT_EQ(torch::equal(tensor, before.at(name)), frozen) << name;
  }
}

TEST(Dann, WorksOnACachedFrozenPrefix) {
  auto job = job_for(Strategy::PartialFineTuning, 2);
  job.options.cache_frozen_features = true;
  job.dann = DannSetup{quadrant_task(64, 21, true), {}, 1.0};
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_EQ(outcome.cached_prefix_blocks, 2);
  EXPECT_GE(outcome.epochs.back().domain_accuracy, 0.0);
}

TEST(Dann, WithoutDannTheEventsCarryNoDomainFigures) {
  EventLog log;
  Trainer::run(job_for(Strategy::FullFineTuning, 1), &log);
  EXPECT_EQ(log.batches.front().lambda, -1.0);
  EXPECT_EQ(log.batches.front().domain_accuracy, -1.0);
  EXPECT_EQ(log.epochs.front().domain_accuracy, -1.0);
  EXPECT_TRUE(log.epochs.front().warning.empty());
}

TEST(Dann, EmptyUnlabelledSetFailsClearly) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  job.dann = DannSetup{};
  const auto outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.message, "dann: the unlabelled target set is empty");
}

EpochEvent epoch_with(double train_loss, double domain_accuracy) {
  EpochEvent e;
  e.train_loss = train_loss;
  e.domain_accuracy = domain_accuracy;
  return e;
}

TEST(EpochWarning, FlagsADomainClassifierThatStaysNearPerfect) {
  EXPECT_EQ(epoch_warning({}, epoch_with(1.0, 0.99)), "");
  EXPECT_EQ(epoch_warning({epoch_with(1.0, 0.9)}, epoch_with(0.9, 0.99)), "");
  EXPECT_EQ(epoch_warning({epoch_with(1.0, 0.97)}, epoch_with(0.9, 0.99)),
            "features not aligned: the domain classifier tells the domains apart 99% of the time");
}

TEST(EpochWarning, FlagsATaskLossThatGrewThreeEpochsInARow) {
  const std::vector<EpochEvent> rising{epoch_with(0.5, -1), epoch_with(0.6, -1), epoch_with(0.7, -1)};
  EXPECT_EQ(epoch_warning(rising, epoch_with(0.8, -1)), "task loss diverges: the training loss grew 3 epochs in a row");
  EXPECT_EQ(epoch_warning(rising, epoch_with(0.65, -1)), "");
  EXPECT_EQ(epoch_warning({rising[1], rising[2]}, epoch_with(0.8, -1)), "");
}

TEST(L2SpTraining, HoldsTransferredWeightsNearTheirStart) {
  auto plain = job_for(Strategy::FullFineTuning, 2);
  auto anchored = job_for(Strategy::FullFineTuning, 2);
  anchored.l2sp = L2SpOptions{5.0, 0.0};
  const auto plain_before = snapshot(*plain.model);
  const auto anchored_before = snapshot(*anchored.model);
  auto plain_model = plain.model;
  auto anchored_model = anchored.model;
  const auto a = Trainer::run(std::move(plain));
  const auto b = Trainer::run(std::move(anchored));
  ASSERT_EQ(b.status, RunStatus::Finished) << b.message;
  EXPECT_LT(b.epochs.back().train_loss, b.epochs.front().train_loss);
  EXPECT_LT(drift(anchored_before, *anchored_model, "features"), 0.8 * drift(plain_before, *plain_model, "features"));
}

TEST(L2SpTraining, ReplacesWeightDecay) {
  // With L2-SP at zero strength and a huge weight decay, nothing is decayed:
  // the run equals one without either.
  auto plain = job_for(Strategy::FullFineTuning, 1);
  auto decayed = job_for(Strategy::FullFineTuning, 1);
  decayed.options.weight_decay = 0.5;
  decayed.l2sp = L2SpOptions{0.0, 0.0};
  const auto a = Trainer::run(std::move(plain));
  const auto b = Trainer::run(std::move(decayed));
  EXPECT_EQ(a.epochs.back().train_loss, b.epochs.back().train_loss);
}

TEST(MultiTask, TrainsTheSharedTrunkAndBothHeads) {
  auto job = job_for(Strategy::FullFineTuning, 3);
  torch::nn::Linear source_head(128, 2);
  const auto head_before = source_head->weight.detach().clone();
  job.multitask = MultiTaskSetup{top_or_bottom(quadrant_task(96, 31)), 0.5, source_head};
  auto model = job.model;
  const auto before = snapshot(*model);
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_LT(outcome.epochs.back().train_loss, outcome.epochs.front().train_loss);
  EXPECT_GT(drift(before, *model, "features"), 0.0);
  EXPECT_GT(drift(before, *model, "classifier"), 0.0);
  EXPECT_FALSE(torch::equal(head_before, source_head->weight));
}

TEST(MultiTask, SourceLossMovesTheTrunk) {
  // Same seeds, same target batches: only the source term differs.
  auto single = job_for(Strategy::FullFineTuning, 1);
  auto joint = job_for(Strategy::FullFineTuning, 1);
  joint.multitask = MultiTaskSetup{top_or_bottom(quadrant_task(96, 31)), 1.0, nullptr};
  auto single_model = single.model;
  auto joint_model = joint.model;
  Trainer::run(std::move(single));
  Trainer::run(std::move(joint));
  EXPECT_FALSE(torch::equal(single_model->named_parameters()["features.0.0.weight"],
                            joint_model->named_parameters()["features.0.0.weight"]));
}

TEST(MultiTask, SourceHeadOfTheWrongShapeFailsClearly) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  job.multitask = MultiTaskSetup{top_or_bottom(quadrant_task(32, 31)), 0.5, torch::nn::Linear(128, 5)};
  const auto outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.message, "multitask.source_head: expected 128 inputs and 2 outputs");
}

TEST(Progressive, TrainsTheNewColumnAndLeavesThePretrainedOneBitIdentical) {
  auto job = job_for(Strategy::FullFineTuning, 3);
  torch::manual_seed(5);
  job.model = TransferModel(
      std::shared_ptr<TransferModelImpl>(std::make_shared<ProgressiveNetworkImpl>(job.model, make_model("small_cnn", 4))));
  job.plan = make_plan(Strategy::FullFineTuning, *job.model);
  job.plan.set("source", {false, 1.0});
  auto model = job.model;
  const auto before = snapshot(*model);
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_LT(outcome.epochs.back().train_loss, outcome.epochs.front().train_loss);
  for (const auto& [name, tensor] : snapshot(*model)) {
    if (name.rfind("source.", 0) == 0) {
      EXPECT_TRUE(torch::equal(tensor, before.at(name))) << name << " changed although frozen";
    } else if (name.find("num_batches_tracked") == std::string::npos) {
      EXPECT_FALSE(torch::equal(tensor, before.at(name))) << name << " did not train";
    }
  }
}

TEST(SelectiveTransferTraining, ReinitialisesExactlyTheBlocksAboveK) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  StrategyOptions options;
  options.transferred_blocks = 1;
  job.plan = make_plan(Strategy::SelectiveTransfer, *job.model, options);
  job.options.learning_rate = 1e-9;  // so any change comes from re-initialisation
  auto model = job.model;
  {
    torch::NoGradGuard no_grad;  // stands in for pretrained weights
    for (const char* name : {"features.0.0.weight", "features.1.0.weight", "features.2.0.weight"}) {
      model->named_parameters()[name].fill_(0.5);
    }
  }
  Trainer::run(std::move(job));
  const auto kept = model->named_parameters()["features.0.0.weight"];
  EXPECT_TRUE(torch::equal(kept, torch::full_like(kept, 0.5)));
  for (const char* name : {"features.1.0.weight", "features.2.0.weight"}) {
    EXPECT_GT((model->named_parameters()[name] - 0.5).abs().max().item<double>(), 1e-3) << name;
  }
}

}  // namespace
}  // namespace tl
