#include "support/synthetic_tasks.h"
#include "models/model_zoo.h"
#include "train/weight_memory_format.h"
#include "train/feature_cache.h"
#include "train/trainer.h"
#include "transfer/strategy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <thread>

namespace tl {
namespace {

using test::quadrant_task;
using test::snapshot;

TrainingJob job_for(Strategy strategy, int epochs = 1, uint64_t seed = 3) {
  torch::manual_seed(seed);
  TrainingJob job;
  job.model = make_model("small_cnn", 4);
  job.plan = make_plan(strategy, *job.model, {1, 0.0});
  job.train = quadrant_task(192, 11);
  job.validation = quadrant_task(64, 12);
  job.options.epochs = epochs;
  job.options.batch_size = 32;
  job.options.learning_rate = 0.05;
  job.options.seed = seed;
  return job;
}

TEST(Trainer, FrozenParametersAndBatchNormStatisticsStayBitIdentical) {
  auto job = job_for(Strategy::PartialFineTuning, 2);
  job.options.cache_frozen_features = false;  // run the frozen prefix every step
  auto model = job.model;
  const auto before = snapshot(*model);
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  const auto after = snapshot(*model);
  for (const auto& [name, tensor] : before) {
    const bool frozen = name.rfind("features.0", 0) == 0 || name.rfind("features.1", 0) == 0;
    if (name.find("num_batches_tracked") != std::string::npos) continue;
    if (frozen) {
      EXPECT_TRUE(torch::equal(tensor, after.at(name))) << name << " changed although frozen";
    } else {
      EXPECT_FALSE(torch::equal(tensor, after.at(name))) << name << " did not train";
    }
  }
}

TEST(Trainer, FeatureExtractionCachesTheWholeBackboneAndMatchesTheUncachedRun) {
  auto cached_job = job_for(Strategy::FeatureExtraction, 2);
  auto plain_job = job_for(Strategy::FeatureExtraction, 2);
  plain_job.options.cache_frozen_features = false;
  const auto cached = Trainer::run(std::move(cached_job));
  const auto plain = Trainer::run(std::move(plain_job));
  EXPECT_EQ(cached.cached_prefix_blocks, 3);
  EXPECT_EQ(plain.cached_prefix_blocks, 0);
  ASSERT_EQ(cached.epochs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(cached.epochs[i].train_loss, plain.epochs[i].train_loss, 1e-4);
    EXPECT_NEAR(cached.epochs[i].val_accuracy, plain.epochs[i].val_accuracy, 1e-6);
  }
}

TEST(Trainer, FrozenPrefixStopsAtTheFirstTrainableOrReplacedBlock) {
  auto model = make_model("small_cnn", 4);
  EXPECT_EQ(frozen_prefix_blocks(*model, make_plan(Strategy::PartialFineTuning, *model, {1, 0.0})), 2);
  EXPECT_EQ(frozen_prefix_blocks(*model, make_plan(Strategy::FullFineTuning, *model)), 0);
  EXPECT_EQ(frozen_prefix_blocks(*model, make_plan(Strategy::LayerReplacement, *model, {2, 0.0})), 1);
}

TEST(Trainer, SameSeedGivesTheSameRun) {
  const auto a = Trainer::run(job_for(Strategy::FullFineTuning, 2));
  const auto b = Trainer::run(job_for(Strategy::FullFineTuning, 2));
  ASSERT_EQ(a.epochs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss);
    EXPECT_EQ(a.epochs[i].val_loss, b.epochs[i].val_loss);
  }
}

TEST(Trainer, ConvolutionWeightsTrainChannelsLastUnlessTurnedOff) {
  auto fast = job_for(Strategy::FullFineTuning, 1);
  auto plain = job_for(Strategy::FullFineTuning, 1);
  plain.options.channels_last = false;
  auto fast_model = fast.model;
  auto plain_model = plain.model;
  ASSERT_FALSE(has_weight_memory_format(*fast_model, at::MemoryFormat::ChannelsLast));  // PyTorch's default NCHW until training starts
  const auto a = Trainer::run(std::move(fast));
  const auto b = Trainer::run(std::move(plain));
  EXPECT_TRUE(has_weight_memory_format(*fast_model, at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(has_weight_memory_format(*plain_model, at::MemoryFormat::ChannelsLast));
  // The two layouts run different convolution kernels: the same training up
  // to rounding in the summation order.
  ASSERT_EQ(a.epochs.size(), 1u);
  EXPECT_NEAR(a.epochs[0].train_loss, b.epochs[0].train_loss, 1e-4);
  EXPECT_NEAR(a.epochs[0].val_loss, b.epochs[0].val_loss, 1e-4);
}

TEST(WeightMemoryFormat, KeepsTheParameterObjectsAndTheirValues) {
  auto model = make_model("small_cnn", 4);
  const auto before = snapshot(*model);
  const auto params = model->parameters();
  set_weight_memory_format(*model, at::MemoryFormat::ChannelsLast);
  EXPECT_TRUE(has_weight_memory_format(*model, at::MemoryFormat::ChannelsLast));
  int64_t four_d = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    // The same tensor an optimizer built earlier holds, now NHWC in memory.
    EXPECT_EQ(params[i].unsafeGetTensorImpl(), model->parameters()[i].unsafeGetTensorImpl());
    if (params[i].dim() == 4) {
      ++four_d;
      EXPECT_TRUE(params[i].is_contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  EXPECT_EQ(four_d, 3);  // the three convolutions
  for (const auto& [name, tensor] : snapshot(*model)) EXPECT_TRUE(torch::equal(tensor, before.at(name))) << name;
  set_weight_memory_format(*model, at::MemoryFormat::Contiguous);
  EXPECT_TRUE(has_weight_memory_format(*model, at::MemoryFormat::Contiguous));
  EXPECT_EQ(params[0].strides(), (std::vector<int64_t>{9, 9, 3, 1}));  // NCHW again
}

// A weight with one input channel or a 1x1 kernel is "contiguous" in both
// layouts; unless its strides are made NHWC, that convolution runs NCHW and
// the next one reorders its input back.
TEST(WeightMemoryFormat, EveryConvolutionReturnsChannelsLastActivations) {
  auto model = make_model("resnet_narrow", 4);  // a 1-channel stem and 1x1 downsampling convolutions
  set_weight_memory_format(*model, at::MemoryFormat::ChannelsLast);
  const auto x = torch::rand({2, 1, 28, 28});  // NCHW, as batches come
  torch::NoGradGuard no_grad;
  model->eval();
  for (int64_t b = 1; b < model->num_blocks(); ++b) {
    const auto activations = model->run_blocks(x, 0, b);
    EXPECT_EQ(activations.stride(1), 1) << "block " << b << " returned NCHW";
  }
  for (const auto& p : model->named_parameters()) {
    if (p.value().dim() == 4) EXPECT_EQ(p.value().stride(1), 1) << p.key();
  }
}

TEST(Trainer, LayerReplacementReinitialisesTheReplacedBlock) {
  auto job = job_for(Strategy::LayerReplacement, 1);
  job.options.learning_rate = 1e-9;  // so any change comes from re-initialisation
  auto model = job.model;
  {
    torch::NoGradGuard no_grad;  // stands in for pretrained weights
    model->named_parameters()["features.2.0.weight"].fill_(0.5);
    model->named_parameters()["features.1.0.weight"].fill_(0.5);
  }
  Trainer::run(std::move(job));
  const auto replaced = model->named_parameters()["features.2.0.weight"];
  const auto kept = model->named_parameters()["features.1.0.weight"];
  EXPECT_GT((replaced - 0.5).abs().max().item<double>(), 1e-3);
  EXPECT_TRUE(torch::equal(kept, torch::full_like(kept, 0.5)));
}

TEST(Trainer, ZeroMultiplierLayersDoNotMove) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  job.plan.set("features.0", {true, 0.0});
  auto model = job.model;
  const auto before = model->named_parameters()["features.0.0.weight"].detach().clone();
  Trainer::run(std::move(job));
  EXPECT_TRUE(torch::equal(before, model->named_parameters()["features.0.0.weight"]));
}

class TrainerWithOptimizer : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(TrainerWithOptimizer, LearnsTheSyntheticTask) {
  auto job = job_for(Strategy::FullFineTuning, 4);
  job.options.optimizer = GetParam();
  job.options.learning_rate = GetParam() == OptimizerKind::Adam ? 0.003 : 0.05;
  const auto outcome = Trainer::run(std::move(job));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_LT(outcome.epochs.back().train_loss, 0.5 * outcome.epochs.front().train_loss);
  EXPECT_GT(outcome.epochs.back().train_accuracy, 0.8);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, TrainerWithOptimizer,
                         ::testing::Values(OptimizerKind::Sgd, OptimizerKind::Adam));

// Records events and can pause or cancel at a chosen batch.
class ScriptedListener : public TrainingListener {
 public:
  Trainer* trainer = nullptr;
  int64_t pause_at = -1, cancel_at = -1;
  std::atomic<int64_t> batches{0};
  std::atomic<int> epochs{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> paused_reported{false};
  FinishedEvent last;
  std::vector<BatchEvent> batch_events;

  void on_batch(const BatchEvent& e) override {
    batch_events.push_back(e);
    const auto n = ++batches;
    if (n == pause_at) trainer->pause();
    if (n == cancel_at) trainer->cancel();
  }
  void on_epoch(const EpochEvent&) override { ++epochs; }
  void on_paused(bool paused) override { paused_reported = paused; }
  void on_finished(const FinishedEvent& e) override {
    last = e;
    finished = true;
  }
};

TEST(Trainer, PauseHoldsBetweenBatchesAndResumeFinishes) {
  ScriptedListener listener;
  Trainer trainer(job_for(Strategy::FullFineTuning, 1), &listener);
  listener.trainer = &trainer;
  listener.pause_at = 2;
  trainer.start();
  while (!listener.paused_reported) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(listener.batches.load(), 2) << "training went on while paused";
  EXPECT_TRUE(trainer.paused());
  trainer.resume();
  const auto outcome = trainer.wait();
  EXPECT_EQ(outcome.status, RunStatus::Finished);
  EXPECT_EQ(listener.batches.load(), 6);
  EXPECT_TRUE(listener.finished);
}

TEST(Trainer, CancelEndsTheRunBetweenBatches) {
  ScriptedListener listener;
  Trainer trainer(job_for(Strategy::FullFineTuning, 5), &listener);
  listener.trainer = &trainer;
  listener.cancel_at = 3;
  trainer.start();
  const auto outcome = trainer.wait();
  EXPECT_EQ(outcome.status, RunStatus::Cancelled);
  EXPECT_EQ(listener.batches.load(), 3);
  EXPECT_EQ(listener.last.status, RunStatus::Cancelled);
}

TEST(Trainer, CancelWhilePausedEndsTheRun) {
  ScriptedListener listener;
  Trainer trainer(job_for(Strategy::FullFineTuning, 5), &listener);
  listener.trainer = &trainer;
  listener.pause_at = 1;
  trainer.start();
  while (!listener.paused_reported) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  trainer.cancel();
  EXPECT_EQ(trainer.wait().status, RunStatus::Cancelled);
}

TEST(Trainer, BatchEventsReportProgressAndEta) {
  ScriptedListener listener;
  Trainer trainer(job_for(Strategy::FullFineTuning, 2), &listener);
  listener.trainer = &trainer;
  trainer.start();
  trainer.wait();
  ASSERT_EQ(listener.batch_events.size(), 12u);
  EXPECT_DOUBLE_EQ(listener.batch_events.back().progress, 1.0);
  EXPECT_DOUBLE_EQ(listener.batch_events.back().eta_seconds, 0.0);
  EXPECT_GT(listener.batch_events.front().eta_seconds, 0.0);
  EXPECT_EQ(listener.batch_events[6].epoch, 2);
  EXPECT_EQ(listener.batch_events[6].batch, 1);
  EXPECT_EQ(listener.epochs.load(), 2);
}

TEST(Trainer, NonFiniteLossStopsTheRunWithAHint) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  job.train.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  job.options.batch_size = 192;
  const auto outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Diverged);
  EXPECT_EQ(outcome.message,
            "loss became NaN at epoch 1, batch 1; the learning rate 0.05 is probably too high - try 0.0001");
}

TEST(Trainer, EverythingFrozenIsAClearFailure) {
  auto job = job_for(Strategy::FeatureExtraction, 1);
  job.plan.set("", {false, 1.0});
  const auto outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.message, "nothing to train: every layer is frozen (unfreeze at least the head)");
}

TEST(Trainer, ZeroBatchSizeFailsNamingTheField) {
  auto job = job_for(Strategy::FullFineTuning, 1);
  job.options.batch_size = 0;
  const auto outcome = Trainer::run(std::move(job));
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.message, "training.batch_size: expected an integer >= 1");
}

TEST(Evaluate, ReportsPerClassAccuracy) {
  auto job = job_for(Strategy::FullFineTuning, 3);
  auto model = job.model;
  auto validation = job.validation;
  Trainer::run(std::move(job));
  const auto e = evaluate(*model, validation);
  ASSERT_EQ(e.per_class_accuracy.size(), 4u);
  double weighted = 0.0;
  const auto counts = validation.class_counts();
  for (int c = 0; c < 4; ++c) weighted += e.per_class_accuracy[c] * counts[c].item<double>();
  EXPECT_NEAR(weighted / validation.size(), e.accuracy, 1e-9);
}

}  // namespace
}  // namespace tl
