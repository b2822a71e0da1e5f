#include "train/cost_probe.h"

#include "models/model_zoo.h"

#include <gtest/gtest.h>

#include <iostream>

namespace tl {
namespace {

const InputShape kFashionMnist{1, 28, 28};

CostProbeOptions batch(int64_t size) {
  CostProbeOptions options;
  options.batch_size = size;
  options.steps = 1;
  return options;
}

TEST(CostProbe, MeasuresAPositiveTimeAndMemory) {
  const TrainingCost cost = probe_training_cost("small_cnn", kFashionMnist, batch(16));
  EXPECT_EQ(cost.architecture, "small_cnn");
  EXPECT_EQ(cost.batch_size, 16);
  EXPECT_EQ(cost.steps, 1);
  EXPECT_GT(cost.seconds_per_batch, 0.0);
  EXPECT_EQ(cost.parameters, describe_architecture("small_cnn").parameters);
  EXPECT_EQ(cost.parameter_bytes, 4 * cost.parameters);
}

TEST(CostProbe, PeakHoldsParametersGradientsAndMomentum) {
  const TrainingCost cost = probe_training_cost("small_cnn", kFashionMnist, batch(1));
  EXPECT_GE(cost.peak_bytes, 3 * cost.parameter_bytes);
}

TEST(CostProbe, AdamKeepsMoreStateThanSgd) {
  CostProbeOptions adam = batch(1);
  adam.optimizer = OptimizerKind::Adam;
  const TrainingCost sgd_cost = probe_training_cost("small_cnn", kFashionMnist, batch(1));
  const TrainingCost adam_cost = probe_training_cost("small_cnn", kFashionMnist, adam);
  EXPECT_GE(adam_cost.peak_bytes - sgd_cost.peak_bytes, sgd_cost.parameter_bytes);
}

TEST(CostProbe, PeakMemoryGrowsWithTheBatchSize) {
  int64_t previous = 0;
  for (int64_t size : {1, 8, 64}) {
    const TrainingCost cost = probe_training_cost("small_cnn", kFashionMnist, batch(size));
    EXPECT_GT(cost.peak_bytes, previous) << "batch " << size;
    previous = cost.peak_bytes;
  }
}

TEST(CostProbe, ResNet18NeedsMoreMemoryThanTheSmallCnnAsItsParametersSay) {
  const TrainingCost small = probe_training_cost("small_cnn", kFashionMnist, batch(2));
  const TrainingCost resnet = probe_training_cost("resnet18", InputShape{3, 224, 224}, batch(2));
  ASSERT_GT(resnet.parameters, small.parameters);
  EXPECT_GT(resnet.peak_bytes, small.peak_bytes);
  EXPECT_GE(resnet.peak_bytes, 3 * resnet.parameter_bytes);
  for (const TrainingCost* c : {&small, &resnet}) {
    std::cout << c->architecture << " batch " << c->batch_size << ": " << c->parameters << " parameters, peak "
              << c->peak_bytes / 1e6 << " MB, " << c->seconds_per_batch << " s per batch\n";
  }
}

TEST(CostProbe, EpochTimeCountsTheLastPartialBatch) {
  TrainingCost cost;
  cost.batch_size = 64;
  cost.seconds_per_batch = 0.5;
  EXPECT_DOUBLE_EQ(cost.seconds_per_epoch(640), 5.0);
  EXPECT_DOUBLE_EQ(cost.seconds_per_epoch(641), 5.5);
}

TEST(CostProbe, CancelledBeforeTheFirstTimedStepThrows) {
  std::atomic<bool> cancel{true};
  CostProbeOptions options = batch(4);
  options.cancel = &cancel;
  EXPECT_THROW(probe_training_cost("small_cnn", kFashionMnist, options), std::runtime_error);
}

TEST(CostProbe, BatchSizeBelowOneIsRefused) {
  try {
    probe_training_cost("small_cnn", kFashionMnist, batch(0));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "cost probe: batch size must be >= 1, got 0");
  }
}

}  // namespace
}  // namespace tl
