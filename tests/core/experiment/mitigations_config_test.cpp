#include "support/fashion_mnist.h"
#include "support/config_error.h"
#include "support/test_dir.h"
#include "data/idx_reader.h"
#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/experiment_config.h"
#include "experiment/mitigation_setup.h"
#include "experiment/pretraining.h"
#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <functional>
#include <torch/torch.h>

namespace tl {
namespace {

using test::config_error;
using test::config_error_of;

using nlohmann::json;

TEST(MitigationsConfig, AbsentMeansOff) {
  const auto c = config_from_json(json::object());
  EXPECT_FALSE(c.mitigations.l2sp);
  EXPECT_FALSE(c.mitigations.dann);
  EXPECT_FALSE(c.mitigations.multitask);
  EXPECT_FALSE(c.mitigations.progressive);
}

TEST(MitigationsConfig, ParsesAndRoundTrips) {
  const json j = {{"mitigations",
                   {{"l2sp", {{"alpha", 0.02}, {"beta", 0.5}}},
                    {"dann", {{"enabled", true}, {"domain_weight", 2.0}}},
                    {"multitask", {{"enabled", true}, {"source_weight", 0.25}}},
                    {"progressive", {{"enabled", true}}}}},
                  {"transfer", {{"strategy", "selective_transfer"}, {"transferred_blocks", 2}}}};
  const auto c = config_from_json(j);
  EXPECT_TRUE(c.mitigations.l2sp);
  EXPECT_DOUBLE_EQ(c.mitigations.l2sp_options.alpha, 0.02);
  EXPECT_DOUBLE_EQ(c.mitigations.l2sp_options.beta, 0.5);
  EXPECT_TRUE(c.mitigations.dann);
  EXPECT_DOUBLE_EQ(c.mitigations.dann_domain_weight, 2.0);
  EXPECT_TRUE(c.mitigations.multitask);
  EXPECT_DOUBLE_EQ(c.mitigations.multitask_source_weight, 0.25);
  EXPECT_TRUE(c.mitigations.progressive);
  EXPECT_EQ(c.transfer.strategy, Strategy::SelectiveTransfer);
  EXPECT_EQ(c.transfer.options.transferred_blocks, 2);

  const json written = config_to_json(c);
  EXPECT_EQ(written["mitigations"]["l2sp"]["enabled"], true);
  EXPECT_EQ(written["transfer"]["transferred_blocks"], 2);
  EXPECT_EQ(config_to_json(config_from_json(written)), written);
  const json off = config_to_json(config_from_json(json::object()));
  EXPECT_EQ(off["mitigations"]["l2sp"]["enabled"], false);
  EXPECT_FALSE(config_from_json(off).mitigations.l2sp);
}

TEST(MitigationsConfig, BadValuesNameTheField) {
  EXPECT_EQ(config_error({{"mitigations", {{"l2sp", {{"alpha", -1}}}}}}),
            "mitigations.l2sp.alpha: expected a number in [0, 100], got -1");
  EXPECT_EQ(config_error({{"mitigations", {{"l2sp", {{"beta", "big"}}}}}}),
            "mitigations.l2sp.beta: expected a number in [0, 100], got \"big\"");
  EXPECT_EQ(config_error({{"mitigations", {{"dann", {{"enabled", 1}}}}}}),
            "mitigations.dann.enabled: expected true or false, got 1");
  EXPECT_EQ(config_error({{"mitigations", {{"dann", {{"weight", 1.0}}}}}}),
            "mitigations.dann.weight: unknown field (expected one of enabled, domain_weight, adversarial)");
  EXPECT_EQ(config_error({{"mitigations", {{"multitask", {{"source_weight", 101}}}}}}),
            "mitigations.multitask.source_weight: expected a number in [0, 100], got 101");
  EXPECT_EQ(config_error({{"mitigations", {{"adabn", true}}}}),
            "mitigations.adabn: unknown field (expected one of l2sp, dann, multitask, progressive, source_per_class)");
  EXPECT_EQ(config_error({{"mitigations", {{"l2sp", true}}}}), "mitigations.l2sp: expected an object, got true");
  EXPECT_EQ(config_error({{"transfer", {{"transferred_blocks", 0}}}}),
            "transfer.transferred_blocks: expected an integer in 1..64, got 0");
}

// A tiny checkpoint pretrained on classes 0-2 with 20 images each; made once
// per test process.
const std::string& tiny_checkpoint() {
  static const test::TestDir dir;
  static const std::string path = [] {
    ExperimentConfig c;
    c.model.architecture = "small_cnn";
    c.source.classes = {0, 1, 2};
    c.source.shots_per_class = 20;
    c.source.test_per_class = 20;
    c.training.epochs = 1;
    c.training.batch_size = 20;
    const std::string file = dir.path("tiny.safetensors");
    save_checkpoint(pretrain(c), file);
    return file;
  }();
  return path;
}

ExperimentConfig transfer_config() {
  ExperimentConfig c;
  c.model.pretrained = tiny_checkpoint();
  c.target.classes = {0, 1, 2};
  c.target.shots_per_class = 5;
  c.target.test_per_class = 20;
  c.target.val_fraction = 0.02;
  c.target.shift.kind = ShiftKind::Inversion;
  c.target.shift.strength = 1.0;
  c.transfer.strategy = Strategy::FullFineTuning;
  c.training.epochs = 1;
  c.training.batch_size = 16;
  return c;
}

std::string prepare_error(const ExperimentConfig& c) {
  try {
    prepare_experiment(c);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(PrepareMitigations, BadCombinationsAreClearErrors) {
  REQUIRE_FASHION_MNIST();
  auto scratch = transfer_config();
  scratch.model.pretrained.clear();
  scratch.model.architecture = "small_cnn";
  scratch.mitigations.dann = true;
  EXPECT_EQ(prepare_error(scratch),
            "mitigations.dann: needs a pretrained model (model.pretrained) to take the source task from");
  scratch.mitigations.dann = false;
  scratch.mitigations.multitask = true;
  EXPECT_EQ(prepare_error(scratch),
            "mitigations.multitask: needs a pretrained model (model.pretrained) to take the source task from");

  auto both = transfer_config();
  both.mitigations.dann = both.mitigations.multitask = true;
  EXPECT_EQ(prepare_error(both),
            "mitigations: dann and multitask both train on the source task's labels; enable one of them");

  auto all_labelled = transfer_config();
  all_labelled.target.shots_per_class = 0;
  all_labelled.mitigations.dann = true;
  EXPECT_EQ(prepare_error(all_labelled),
            "mitigations.dann: needs unlabelled target images; set target.shots_per_class to the labelled images "
            "per class (the rest become the unlabelled set), or target.labelled to false");

  auto other_classes = transfer_config();
  other_classes.target.classes = {3, 4, 5};
  other_classes.mitigations.dann = true;
  EXPECT_EQ(prepare_error(other_classes),
            "mitigations.dann: the pretrained model's source task has other classes than the target; DANN needs "
            "the same classes in both domains");

  auto too_deep = transfer_config();
  too_deep.transfer.strategy = Strategy::SelectiveTransfer;
  too_deep.transfer.options.transferred_blocks = 5;
  EXPECT_EQ(prepare_error(too_deep), "transfer.transferred_blocks: expected 1..3 for selective_transfer, got 5");
}

TEST(PrepareMitigations, DannGetsSourceLabelsAndTheUnlabelledRestOfTheTarget) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.mitigations.dann = true;
  c.mitigations.dann_domain_weight = 0.5;
  const PreparedExperiment p = prepare_experiment(c);
  ASSERT_TRUE(p.dann.has_value());
  // 6000 training images per class, 2% (120) held out for validation, 5 labelled.
  EXPECT_EQ(p.dann->unlabelled.size(), 3 * (6000 - 120 - 5));
  EXPECT_EQ(p.data.train.size(), 3 * 5);
  EXPECT_EQ(p.dann_source.size(), 3 * 20);
  // Inverted target images are bright where the source is dark.
  EXPECT_GT(p.dann->unlabelled.images.mean().item<double>(), p.dann_source.images.mean().item<double>());

  const auto job = make_training_job(p);
  ASSERT_TRUE(job.dann.has_value());
  EXPECT_EQ(job.train.size(), 3 * 20 + 3 * 5);  // the source's 20 per class, then the target's shots
  EXPECT_TRUE(torch::equal(job.dann->labelled_domains,
                           torch::cat({torch::zeros({60}), torch::ones({15})})));
  EXPECT_DOUBLE_EQ(job.dann->domain_weight, 0.5);
  const auto outcome = Trainer::run(make_training_job(p));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  EXPECT_GE(outcome.epochs.back().domain_accuracy, 0.0);
  const auto j = make_run_record(p, outcome).to_json();
  EXPECT_TRUE(j["epochs"][0].contains("domain_accuracy"));
  EXPECT_TRUE(j["epochs"][0].contains("lambda"));
}

TEST(TargetLabels, ParseAndRoundTrip) {
  EXPECT_TRUE(config_from_json(json::object()).target.labelled);
  const auto c = config_from_json({{"target", {{"labelled", false}}}});
  EXPECT_FALSE(c.target.labelled);
  EXPECT_EQ(config_to_json(c)["target"]["labelled"], false);
  EXPECT_EQ(config_error({{"target", {{"labelled", "no"}}}}), "target.labelled: expected true or false, got \"no\"");
}

TEST(TargetLabels, AnUnlabelledTargetNeedsDannAndNoShots) {
  auto c = transfer_config();
  c.target.shots_per_class = 0;
  c.target.labelled = false;
  EXPECT_EQ(prepare_error(c),
            "target.labelled: false leaves the target task without training labels; only domain-adversarial "
            "adaptation (mitigations.dann) trains without them, from the source labels");
  c.mitigations.dann = true;
  c.target.shots_per_class = 5;
  EXPECT_EQ(prepare_error(c),
            "target.shots_per_class: target.labelled is false, so there are no labelled shots to draw; remove "
            "shots_per_class or set labelled to true");
}

TEST(PrepareMitigations, DannOnAnUnlabelledTargetTrainsTheTaskOnSourceLabelsOnly) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.target.shots_per_class = 0;
  c.target.labelled = false;
  c.mitigations.dann = true;
  const PreparedExperiment p = prepare_experiment(c);
  ASSERT_TRUE(p.dann.has_value());
  // Every target training image is unlabelled: 6000 per class less 2% validation.
  EXPECT_EQ(p.dann->unlabelled.size(), 3 * (6000 - 120));
  const auto job = make_training_job(p);
  EXPECT_EQ(job.train.size(), 3 * 20);
  EXPECT_TRUE(torch::equal(job.train.images, p.dann_source.images));
  EXPECT_TRUE(torch::equal(job.dann->labelled_domains, torch::zeros({60})));
  const auto outcome = Trainer::run(make_training_job(p));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
}

TEST(PrepareMitigations, SourcePerClassCapsTheSourceImages) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.mitigations.dann = true;
  c.mitigations.source_per_class = 7;
  EXPECT_EQ(config_from_json(config_to_json(c)).mitigations.source_per_class, 7);
  EXPECT_EQ(prepare_experiment(c).dann_source.size(), 3 * 7);
  c.mitigations.dann = false;
  c.mitigations.multitask = true;
  EXPECT_EQ(prepare_experiment(c).multitask->source.size(), 3 * 7);
}

TEST(PrepareExperiment, AColourModelOnGreyImagesIsAConfigErrorNotAShapeError) {
  REQUIRE_FASHION_MNIST();
  // A checkpoint made for colour images, as an imported ImageNet model is.
  Checkpoint colour;
  colour.metadata.architecture = "small_cnn";
  colour.metadata.class_names = {"a", "b"};
  colour.metadata.input = {3, 28, 28};
  colour.tensors = state_dict(*make_model("small_cnn", 2, colour.metadata.input));
  const test::TestDir dir;
  const std::string path = dir.path("colour_small_cnn.safetensors");
  save_checkpoint(colour, path);
  ExperimentConfig c;
  c.model.pretrained = path;
  c.target.classes = {0, 1};
  c.target.shots_per_class = 2;
  c.target.test_per_class = 2;
  EXPECT_EQ(config_error_of([&] { prepare_experiment(c); }),
            "model: small_cnn takes images with 3 channels, but the target task's images have 1; choose a model "
            "made for them (e.g. small_cnn or resnet_narrow for Fashion-MNIST)");
}

TEST(SourceOnlyTwin, IsTheDannRunWithoutTheAdversarialTerm) {
  auto c = transfer_config();
  c.name = "inverted";
  EXPECT_EQ(twin_kind(c), TwinKind::Scratch);
  EXPECT_EQ(config_error_of([&] { source_only_twin(c); }),
            "mitigations.dann: a source-only twin is the control of a domain-adversarial run; enable dann");
  c.mitigations.dann = true;
  c.mitigations.dann_domain_weight = 0.7;
  EXPECT_EQ(twin_kind(c), TwinKind::SourceOnly);
  const ExperimentConfig twin = twin_config(c);
  EXPECT_EQ(twin.name, "inverted (source-only twin)");
  EXPECT_TRUE(twin.mitigations.dann);
  EXPECT_FALSE(twin.mitigations.dann_adversarial);
  EXPECT_DOUBLE_EQ(twin.mitigations.dann_domain_weight, 0.7);
  EXPECT_EQ(twin.model.pretrained, c.model.pretrained);
  EXPECT_EQ(config_to_json(twin)["transfer"], config_to_json(c)["transfer"]);
}

TEST(SourceOnlyTwin, StartsFromThePretrainedWeightsOnTheSameDataAndIsJudgedAgainst) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.mitigations.dann = true;
  std::vector<std::string> labels;
  std::vector<bool> adversarial;
  const TrainFunction train = [&](TrainingJob job, const JobIdentity& id) {
    labels.push_back(job_label(id));
    adversarial.push_back(job.dann->adversarial);
    return Trainer::run(std::move(job));
  };
  const PreparedExperiment transfer = prepare_experiment(c);
  const PreparedExperiment twin = prepare_twin(transfer);
  for (const auto& [name, tensor] : transfer.initial_state) {
    EXPECT_TRUE(torch::equal(twin.initial_state.at(name), tensor)) << name;
  }
  EXPECT_TRUE(torch::equal(twin.dann->unlabelled.images, transfer.dann->unlabelled.images));
  EXPECT_EQ(twin.dann_source.size(), transfer.dann_source.size());

  const Comparison comparison = run_comparison(c, 1, /*twin=*/true, train);
  EXPECT_EQ(labels, (std::vector<std::string>{"transfer", "source-only twin"}));
  EXPECT_EQ(adversarial, (std::vector<bool>{true, false}));
  ASSERT_TRUE(comparison.verdict.has_value());
  EXPECT_EQ(comparison.verdict->baseline, "source-only twin");
  EXPECT_EQ(comparison.sections()["baseline"]["kind"], "source_only");
}

TEST(PrepareMitigations, MultiTaskStartsTheSourceHeadFromTheCheckpoint) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.target.classes = {3, 4};
  c.mitigations.multitask = true;
  const PreparedExperiment p = prepare_experiment(c);
  ASSERT_TRUE(p.multitask.has_value());
  EXPECT_EQ(p.multitask->source.size(), 60);
  EXPECT_EQ(p.multitask->source.num_classes(), 3);
  const Checkpoint ckpt = load_checkpoint(tiny_checkpoint());
  ASSERT_TRUE(p.multitask->source_head);
  EXPECT_TRUE(torch::equal(p.multitask->source_head->weight, ckpt.tensors.at("classifier.weight")));
  const auto job = make_training_job(p);
  EXPECT_NE(job.multitask->source_head.get(), p.multitask->source_head.get());
  const auto outcome = Trainer::run(make_training_job(p));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
}

TEST(PrepareMitigations, L2SpReachesTheTrainingJob) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.mitigations.l2sp = true;
  c.mitigations.l2sp_options = {0.3, 0.04};
  const auto job = make_training_job(prepare_experiment(c));
  ASSERT_TRUE(job.l2sp.has_value());
  EXPECT_DOUBLE_EQ(job.l2sp->alpha, 0.3);
  EXPECT_DOUBLE_EQ(job.l2sp->beta, 0.04);
  EXPECT_FALSE(make_training_job(prepare_experiment(transfer_config())).l2sp.has_value());
}

TEST(PrepareMitigations, ProgressiveWrapsThePretrainedModelAsAFrozenColumn) {
  REQUIRE_FASHION_MNIST();
  auto c = transfer_config();
  c.mitigations.progressive = true;
  const PreparedExperiment p = prepare_experiment(c);
  EXPECT_EQ(p.model->architecture(), "progressive_small_cnn");
  EXPECT_EQ(p.config.model.architecture, "small_cnn");
  EXPECT_EQ(p.model->num_classes(), 3);
  EXPECT_FALSE(p.plan.setting_for("source.features.0.0.weight").trainable);
  EXPECT_TRUE(p.plan.setting_for("target.features.0.0.weight").trainable);
  EXPECT_TRUE(p.plan.setting_for("laterals.0.weight").trainable);
  const Checkpoint ckpt = load_checkpoint(tiny_checkpoint());
  EXPECT_TRUE(torch::equal(p.model->named_parameters()["source.features.0.0.weight"],
                           ckpt.tensors.at("features.0.0.weight")));
  const auto outcome = Trainer::run(make_training_job(p));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;

  auto partial = c;
  partial.transfer.strategy = Strategy::PartialFineTuning;
  EXPECT_EQ(prepare_error(partial),
            "mitigations.progressive: the new column starts from random weights and trains in full; set "
            "transfer.strategy to full_fine_tuning");
  auto anchored = c;
  anchored.mitigations.l2sp = true;
  EXPECT_EQ(prepare_error(anchored),
            "mitigations.progressive: L2-SP has no pretrained weights to anchor here (the pretrained column is "
            "frozen); turn off mitigations.l2sp");
  auto scratch = c;
  scratch.model.pretrained.clear();
  scratch.model.architecture = "small_cnn";
  EXPECT_EQ(prepare_error(scratch),
            "mitigations.progressive: needs a pretrained model (model.pretrained) for its frozen column");
}

// The window marks the step to fix before a run fails on it: the same checks,
// on the config alone, each error naming its field.
TEST(MitigationChecks, FindRefusedCombinationsWithoutDataAndNameTheirField) {
  const auto field_of = [](const std::function<void()>& check) {
    try {
      check();
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("none");
  };
  ExperimentConfig c;
  c.target.shots_per_class = 20;
  c.mitigations.dann = true;
  EXPECT_EQ(field_of([&] { check_mitigations(c); }), "none");
  c.target.shots_per_class = 0;
  EXPECT_EQ(field_of([&] { check_mitigations(c); }), "mitigations.dann");
  c.target.shots_per_class = 20;
  c.mitigations.multitask = true;
  EXPECT_EQ(field_of([&] { check_mitigations(c); }), "mitigations");

  ExperimentConfig unlabelled;
  unlabelled.target.labelled = false;
  EXPECT_EQ(field_of([&] { check_target_labels(unlabelled); }), "target.labelled");
  unlabelled.target.shots_per_class = 5;
  EXPECT_EQ(field_of([&] { check_target_labels(unlabelled); }), "target.shots_per_class");
}

}  // namespace
}  // namespace tl
