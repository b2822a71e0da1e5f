#include "support/fashion_mnist.h"
#include "support/small_checkpoint.h"
#include "support/test_dir.h"
#include "data/idx_reader.h"
#include "experiment/baseline.h"
#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>


namespace tl {
namespace {

ExperimentConfig transfer_config(const std::string& checkpoint) {
  ExperimentConfig c;
  c.name = "shirts";
  c.model.pretrained = checkpoint;
  c.target.classes = {0, 1};
  c.target.shots_per_class = 20;
  c.target.test_per_class = 20;
  c.target.val_fraction = 0.02;
  c.target.seed = 4;
  c.target.shift = {ShiftKind::Rotation, 0.2, 4};
  c.transfer.strategy = Strategy::FeatureExtraction;
  c.transfer.layers["features.2"] = {true, 0.5};
  c.training.epochs = 1;
  c.training.batch_size = 16;
  c.training.learning_rate = 0.03;
  c.training.seed = 9;
  return c;
}

SeedPair pair(double transfer, double baseline, std::vector<double> tpc = {}, std::vector<double> bpc = {}) {
  return {1, transfer, baseline, std::move(tpc), std::move(bpc)};
}

TEST(ScratchTwin, ClearsThePretrainedWeightsStrategyAndEditsAndKeepsEverythingElse) {
  const test::TestDir dir;
  auto transfer = transfer_config(test::small_checkpoint(dir));
  transfer.mitigations.l2sp = true;
  transfer.mitigations.multitask = true;
  const auto twin = scratch_twin(transfer);
  EXPECT_EQ(twin.model.pretrained, "");
  EXPECT_EQ(twin.model.architecture, "small_cnn");  // read from the checkpoint
  EXPECT_EQ(twin.transfer.strategy, Strategy::FullFineTuning);
  EXPECT_TRUE(twin.transfer.layers.empty());
  EXPECT_EQ(twin.name, "shirts (scratch twin)");
  EXPECT_FALSE(twin.mitigations.l2sp);
  EXPECT_FALSE(twin.mitigations.multitask);
  // Same data, seeds and budget.
  EXPECT_EQ(config_to_json(twin)["target"], config_to_json(transfer)["target"]);
  EXPECT_EQ(config_to_json(twin)["training"], config_to_json(transfer)["training"]);
}

TEST(ScratchTwin, OfARunFromScratchIsAConfigError) {
  ExperimentConfig c;
  c.model.architecture = "small_cnn";
  try {
    scratch_twin(c);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "model.pretrained: expected a pretrained model; a run from scratch has no scratch twin to compare with");
  }
}

TEST(PrepareTwin, TrainsOnTheTransferRunsTensorsFromFreshWeights) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const auto transfer = prepare_experiment(transfer_config(test::small_checkpoint(dir)));
  const auto twin = prepare_twin(transfer);
  EXPECT_TRUE(twin.data.train.images.is_same(transfer.data.train.images));
  EXPECT_TRUE(twin.data.test.images.is_same(transfer.data.test.images));
  EXPECT_TRUE(twin.plan.setting_for("features.0.0.weight").trainable);
  EXPECT_FALSE(transfer.plan.setting_for("features.0.0.weight").trainable);
  EXPECT_FALSE(torch::equal(twin.initial_state.at("features.0.0.weight"),
                            transfer.initial_state.at("features.0.0.weight")));
  EXPECT_EQ(twin.model->num_classes(), 2);
}

TEST(MeanStd, IsTheSampleStandardDeviationAndZeroForOneValue) {
  EXPECT_DOUBLE_EQ(mean_std({0.5}).std, 0.0);
  const MeanStd s = mean_std({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_DOUBLE_EQ(s.std, 1.0);
}

TEST(JudgeTransfer, AClearGapAboveTheNoiseIsPositive) {
  const Verdict v = judge_transfer({pair(0.80, 0.70), pair(0.82, 0.70), pair(0.81, 0.70)});
  EXPECT_EQ(v.label, VerdictLabel::Positive);
  EXPECT_NEAR(v.gap, 11.0, 1e-9);
  EXPECT_NEAR(v.std, 1.0, 1e-9);
  EXPECT_EQ(v.seeds, 3);
  EXPECT_EQ(v.sentence(), "positive transfer, +11.0 ± 1.0 points over 3 seeds against the scratch twin");
}

TEST(JudgeTransfer, AClearLossIsNegative) {
  const Verdict v = judge_transfer({pair(0.60, 0.66), pair(0.61, 0.66)});
  EXPECT_EQ(v.label, VerdictLabel::Negative);
  EXPECT_NEAR(v.gap, -5.5, 1e-9);
  EXPECT_EQ(v.sentence(), "negative transfer, -5.5 ± 0.7 points over 2 seeds against the scratch twin");
}

TEST(JudgeTransfer, AGapInsideBigSeedNoiseIsInconclusive) {
  // Differences +8, -6, +5: mean 2.3, std 7.4, threshold 2·7.4/√3 = 8.5.
  const Verdict v = judge_transfer({pair(0.78, 0.70), pair(0.64, 0.70), pair(0.75, 0.70)});
  EXPECT_EQ(v.label, VerdictLabel::Inconclusive);
  EXPECT_NEAR(v.threshold, 2 * v.std / std::sqrt(3.0), 1e-9);
  EXPECT_EQ(v.sentence().rfind("inconclusive, +2.3", 0), 0u) << v.sentence();
}

TEST(JudgeTransfer, OneSeedMakesNoClaimButReportsItsGap) {
  for (double transfer : {0.90, 0.50, 0.705}) {
    const Verdict v = judge_transfer({pair(transfer, 0.70)});
    EXPECT_EQ(v.label, VerdictLabel::SingleSeed) << transfer;
    EXPECT_NEAR(v.gap, 100.0 * (transfer - 0.70), 1e-9);
    EXPECT_DOUBLE_EQ(v.std, 0.0);
    EXPECT_EQ(v.seeds, 1);
    EXPECT_EQ(v.to_json()["label"], "single_seed");
  }
  EXPECT_EQ(judge_transfer({pair(0.68, 0.70)}).sentence(),
            "single seed, -2.0 points against the scratch twin — run 3 seeds to tell an effect from noise");
  EXPECT_EQ(judge_transfer({pair(0.80, 0.70)}, TwinKind::SourceOnly).sentence(),
            "single seed, +10.0 points against the source-only twin — run 3 seeds to tell an effect from noise");
}

TEST(JudgeTransfer, FromTwoSeedsTheGapIsWeighedAgainstTheNoise) {
  // Differences +2, +2: no spread, so the threshold is the one-point floor.
  const Verdict v = judge_transfer({pair(0.72, 0.70), pair(0.72, 0.70)});
  EXPECT_EQ(v.label, VerdictLabel::Positive);
  EXPECT_DOUBLE_EQ(v.threshold, kMinVerdictGapPoints);
  EXPECT_EQ(judge_transfer({pair(0.705, 0.70), pair(0.705, 0.70)}).label, VerdictLabel::Inconclusive);
  EXPECT_EQ(judge_transfer({pair(0.68, 0.70), pair(0.68, 0.70)}).sentence(),
            "negative transfer, -2.0 ± 0.0 points over 2 seeds against the scratch twin");
}

TEST(VerdictLabel, NamesReadBackAndOnlyTwoSeedsOrMoreMakeAClaim) {
  for (VerdictLabel label :
       {VerdictLabel::Positive, VerdictLabel::Negative, VerdictLabel::Inconclusive, VerdictLabel::SingleSeed}) {
    EXPECT_EQ(verdict_label_from_name(verdict_label_name(label)), label);
  }
  EXPECT_EQ(verdict_label_title(VerdictLabel::SingleSeed), "single seed");
  EXPECT_EQ(verdict_label_for(50.0, 1.0, 1), VerdictLabel::SingleSeed);
  EXPECT_EQ(verdict_label_for(50.0, 1.0, 2), VerdictLabel::Positive);
  EXPECT_EQ(verdict_label_for(-50.0, 1.0, 2), VerdictLabel::Negative);
  EXPECT_EQ(verdict_label_for(0.5, 1.0, 2), VerdictLabel::Inconclusive);
}

TEST(JudgeTransfer, AveragesTheGapOfEachClass) {
  const Verdict v = judge_transfer({pair(0.8, 0.7, {0.9, 0.7}, {0.6, 0.8}), pair(0.8, 0.7, {0.8, 0.8}, {0.7, 0.9})});
  ASSERT_EQ(v.per_class.size(), 2u);
  EXPECT_NEAR(v.per_class[0], 20.0, 1e-9);
  EXPECT_NEAR(v.per_class[1], -10.0, 1e-9);
  const auto j = v.to_json();
  for (const char* key : {"label", "gap", "std", "seeds", "per_class"}) EXPECT_TRUE(j.contains(key)) << key;
}

TEST(JudgeTransfer, NeedsAtLeastOneSeed) { EXPECT_THROW(judge_transfer({}), std::invalid_argument); }

TEST(RunComparison, RunsTransferAndTwinForEachSeedAndJudges) {
  REQUIRE_FASHION_MNIST();
  std::vector<std::string> labels;
  std::vector<uint64_t> seeds;
  const TrainFunction train = [&](TrainingJob job, const JobIdentity& id) {
    labels.push_back(job_label(id));
    seeds.push_back(job.options.seed);
    return Trainer::run(std::move(job));
  };
  const test::TestDir dir;
  const Comparison c = run_comparison(transfer_config(test::small_checkpoint(dir)), 2, /*twin=*/true, train);
  EXPECT_EQ(labels, (std::vector<std::string>{"seed 9 transfer", "seed 9 scratch twin", "seed 10 transfer",
                                              "seed 10 scratch twin"}));
  EXPECT_EQ(seeds, (std::vector<uint64_t>{9, 9, 10, 10}));
  ASSERT_EQ(c.runs.size(), 2u);
  EXPECT_EQ(c.runs[1].transfer.config["target"]["seed"], 10);
  EXPECT_EQ(c.runs[1].baseline->config["model"]["pretrained"], "");
  ASSERT_TRUE(c.verdict.has_value());
  EXPECT_EQ(c.verdict->seeds, 2);
  EXPECT_EQ(c.verdict->per_class.size(), 2u);
  const auto j = c.sections();
  EXPECT_TRUE(j["transfer"]["test_accuracy"].contains("mean"));
  EXPECT_TRUE(j["baseline"]["test_accuracy"].contains("std"));
  EXPECT_EQ(j["verdict"]["seeds"], 2);
  EXPECT_EQ(j["per_seed"].size(), 2u);
}

TEST(RunComparison, WithoutTwinHasNoBaselineOrVerdict) {
  REQUIRE_FASHION_MNIST();
  const test::TestDir dir;
  const Comparison c = run_comparison(transfer_config(test::small_checkpoint(dir)), 1, /*twin=*/false);
  ASSERT_EQ(c.runs.size(), 1u);
  EXPECT_FALSE(c.runs[0].baseline.has_value());
  EXPECT_FALSE(c.verdict.has_value());
  const auto j = c.sections();
  EXPECT_TRUE(j.contains("transfer"));
  EXPECT_FALSE(j.contains("baseline"));
  EXPECT_FALSE(j.contains("verdict"));
}

TEST(RunComparison, StopsAtACancelledRunWithoutAVerdict) {
  REQUIRE_FASHION_MNIST();
  int calls = 0;
  const TrainFunction cancelled = [&](TrainingJob job, const JobIdentity&) {
    ++calls;
    TrainingOutcome o;
    o.status = RunStatus::Cancelled;
    o.model = job.model;
    return o;
  };
  const test::TestDir dir;
  const Comparison c = run_comparison(transfer_config(test::small_checkpoint(dir)), 3, /*twin=*/true, cancelled);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c.runs.size(), 1u);
  EXPECT_FALSE(c.verdict.has_value());
}

TEST(RunComparison, NeedsAtLeastOneSeed) {
  try {
    run_comparison(transfer_config("unused"), 0, true);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "seeds: expected an integer >= 1, got 0");
  }
}

}  // namespace
}  // namespace tl
