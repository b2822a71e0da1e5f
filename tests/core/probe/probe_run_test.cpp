#include "experiment/experiment_config.h"
#include "models/model_zoo.h"
#include "probe/probe_run.h"
#include "support/config_error.h"
#include "support/fashion_mnist.h"
#include "support/synthetic_tasks.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

namespace tl {
namespace {

using nlohmann::json;
using test::config_error;

ProbeConfig probe_config(ProbeClassifier classifier = ProbeClassifier::Both, int64_t k = 3) {
  ProbeConfig p;
  p.classifier = classifier;
  p.k = k;
  return p;
}

TEST(ProbeLayers, ProfileHasOneRowPerBlockAfterTheInputRow) {
  torch::manual_seed(1);
  TransferModel model = make_model("small_cnn", 4);
  const Dataset train = test::quadrant_task(80, 1);
  const Dataset test_set = test::quadrant_task(40, 2);
  const auto rows = probe_layers(*model, profile_points(*model), train, test_set, probe_config());
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<std::string> layers = {"input", "features.0", "features.1", "features.2"};
  const std::vector<int64_t> features = {784, 2048, 64 * 5 * 5, 128};  // 2048-value budget
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].point.layer, layers[i]);
    EXPECT_EQ(rows[i].features, features[i]) << layers[i];
    ASSERT_TRUE(rows[i].logistic_regression && rows[i].knn);
    EXPECT_EQ(rows[i].knn->k, 3);
    EXPECT_EQ(rows[i].primary_test().per_class_accuracy.size(), 4u);
  }
  EXPECT_EQ(rows[1].activation_shape, (std::vector<int64_t>{32, 14, 14}));
  // Which quadrant is bright is linear in the pixels: both models read it there.
  EXPECT_EQ(rows[0].logistic_regression->train_accuracy, 1.0);
  EXPECT_GE(rows[0].logistic_regression->test.accuracy, 0.95);
  EXPECT_GE(rows[0].knn->test.accuracy, 0.95);
}

TEST(ProbeLayers, RunsOnlyTheChosenClassifier) {
  TransferModel model = make_model("small_cnn", 4);
  const Dataset train = test::quadrant_task(20, 3);
  const Dataset test_set = test::quadrant_task(8, 4);
  const auto point = resolve_probe_point(*model, "features.0.2");
  const auto knn_only = probe_layers(*model, {point}, train, test_set, probe_config(ProbeClassifier::Knn));
  ASSERT_EQ(knn_only.size(), 1u);
  EXPECT_FALSE(knn_only[0].logistic_regression);
  EXPECT_TRUE(knn_only[0].knn);
  const auto lr_only =
      probe_layers(*model, {point}, train, test_set, probe_config(ProbeClassifier::LogisticRegression));
  EXPECT_TRUE(lr_only[0].logistic_regression);
  EXPECT_FALSE(lr_only[0].knn);
}

TEST(ProbeLayers, KAboveTheTrainingImagesIsAConfigErrorNamingProbeK) {
  TransferModel model = make_model("small_cnn", 4);
  const Dataset train = test::quadrant_task(6, 5);
  try {
    probe_layers(*model, profile_points(*model), train, train, probe_config(ProbeClassifier::Both, 7));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "probe.k: expected at most the 6 training images of the task, got 7");
  }
}

TEST(ProbeLayers, LeavesTheModelsModeAndBatchNormStatisticsAlone) {
  TransferModel model = make_model("small_cnn", 4);
  model->train();
  const auto before = test::snapshot(*model);
  const Dataset data = test::quadrant_task(12, 6);
  probe_layers(*model, profile_points(*model), data, data, probe_config());
  EXPECT_TRUE(model->is_training());
  for (const auto& [name, tensor] : test::snapshot(*model)) EXPECT_TRUE(tensor.equal(before.at(name))) << name;
}

TEST(ProbeConfig, DefaultsAndRoundTrip) {
  const auto c = config_from_json(json::object());
  EXPECT_EQ(c.probe.layer, "");
  EXPECT_EQ(c.probe.classifier, ProbeClassifier::Both);
  EXPECT_EQ(c.probe.k, 5);
  const json given = {{"probe", {{"layer", "features.1"}, {"classifier", "knn"}, {"k", 7}, {"l2", 0.5}}}};
  const auto parsed = config_from_json(given);
  EXPECT_EQ(parsed.probe.layer, "features.1");
  EXPECT_EQ(parsed.probe.classifier, ProbeClassifier::Knn);
  EXPECT_EQ(parsed.probe.k, 7);
  EXPECT_EQ(parsed.probe.l2, 0.5);
  const json written = config_to_json(parsed);
  EXPECT_EQ(written["probe"]["classifier"], "knn");
  EXPECT_EQ(config_from_json(written).probe.k, 7);
  EXPECT_TRUE(parsed.extra.empty());  // "probe" is a section, not an unknown key
}

TEST(ProbeConfig, BadValuesNameTheirField) {
  EXPECT_EQ(config_error({{"probe", {{"k", 0}}}}), "probe.k: expected an integer in 1..100000, got 0");
  EXPECT_EQ(config_error({{"probe", {{"l2", -1}}}}), "probe.l2: expected a number in [0, 1e+06], got -1");
  EXPECT_EQ(config_error({{"probe", {{"classifier", "svm"}}}}),
            "probe.classifier: expected \"logistic_regression\", \"knn\" or \"both\", got \"svm\"");
  EXPECT_EQ(config_error({{"probe", {{"layer", 3}}}}), "probe.layer: expected a string, got 3");
  EXPECT_EQ(config_error({{"probe", {{"depth", 3}}}}).rfind("probe.depth: unknown field", 0), 0u);
}

ExperimentConfig small_real_config(const std::string& layer) {
  return config_from_json({{"model", {{"pretrained", "small_cnn-fmnist0-4"}}},
                           {"target",
                            {{"classes", {5, 6, 7, 8, 9}},
                             {"shots_per_class", 10},
                             {"test_per_class", 20},
                             {"seed", 1}}},
                           {"training", {{"threads", 1}}},
                           {"probe", {{"layer", layer}, {"k", 3}}}});
}

TEST(RunProbe, UnknownLayerOfTheConfigsModelIsAConfigErrorNamingProbeLayer) {
  try {
    run_probe(small_real_config("features.7"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("probe.layer: no layer 'features.7' in small_cnn; layers that can be "
                                          "probed: input, features.0, features.0.0",
                                          0),
              0u)
        << e.what();
  }
}

TEST(RunProbe, AnUnlabelledTargetIsAConfigErrorNamingTargetLabelled) {
  ExperimentConfig config = small_real_config("features.1");
  config.target.labelled = false;
  config.target.shots_per_class = 0;
  try {
    run_probe(config);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("target.labelled: false leaves the probe nothing to fit", 0), 0u) << e.what();
  }
}

TEST(RunProbe, BuiltInCheckpointOnItsTargetTaskWritesARunRecord) {
  REQUIRE_FASHION_MNIST();
  const ProbeReport report = run_probe(small_real_config("features.2"));
  EXPECT_EQ(report.architecture, "small_cnn");
  EXPECT_EQ(report.train_images, 50);
  EXPECT_EQ(report.test_images, 100);
  ASSERT_EQ(report.rows.size(), 1u);
  const ProbeRow& row = report.rows.front();
  EXPECT_EQ(row.features, 128);
  // Five classes: chance is 20%; pretrained features read far better.
  EXPECT_GT(row.logistic_regression->test.accuracy, 0.5);
  EXPECT_GT(row.knn->test.accuracy, 0.5);

  const test::TestDir dir;
  write_probe(report, dir.path("run"));
  const json run = json::parse(test::read_file(dir.path("run/run.json")));
  EXPECT_EQ(run["status"], "finished");
  EXPECT_EQ(run["config"]["probe"]["layer"], "features.2");
  EXPECT_EQ(run["final"]["test_accuracy"], row.logistic_regression->test.accuracy);
  EXPECT_EQ(run["final"]["test_per_class_accuracy"].size(), 5u);
  EXPECT_EQ(run["probe"]["rows"][0]["layer"], "features.2");
  EXPECT_EQ(run["probe"]["rows"][0]["knn"]["test_accuracy"], row.knn->test.accuracy);
  EXPECT_TRUE(std::filesystem::exists(dir.path("run/probe.csv")));
}

}  // namespace
}  // namespace tl
