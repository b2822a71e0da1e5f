#include "support/fashion_mnist.h"
#include "support/test_dir.h"
#include "data/idx_reader.h"
#include "experiment/experiment.h"
#include "experiment/run_record.h"
#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace tl {
namespace {

ExperimentConfig scratch_config() {
  ExperimentConfig c;
  c.name = "test";
  c.model.architecture = "small_cnn";
  c.target.classes = {0, 1, 7, 9};
  c.target.shots_per_class = 100;
  c.target.test_per_class = 100;
  c.target.val_fraction = 0.05;
  c.transfer.strategy = Strategy::FullFineTuning;
  c.training.epochs = 2;
  c.training.batch_size = 32;
  c.training.learning_rate = 0.05;
  return c;
}

TEST(BuildTaskData, SelectsSamplesSplitsAndNormalises) {
  REQUIRE_FASHION_MNIST();
  auto c = scratch_config();
  c.target.shift = {ShiftKind::Inversion, 1.0, 1};
  const TaskData task = build_task_data(c.target);
  EXPECT_EQ(task.train.size(), 400);
  EXPECT_EQ(task.test.size(), 400);
  EXPECT_EQ(task.validation.size(), 4 * 300);  // 5% of 6000 per class
  EXPECT_EQ(task.train.class_names, (std::vector<std::string>{"T-shirt/top", "Trouser", "Sneaker", "Ankle boot"}));
  EXPECT_NEAR(task.train.images.mean().item<double>(), 0.0, 1e-4);
  EXPECT_NEAR(task.train.images.std().item<double>(), 1.0, 1e-2);
}

TEST(BuildTaskData, TooManyShotsNamesTheClass) {
  REQUIRE_FASHION_MNIST();
  auto c = scratch_config();
  c.target.shots_per_class = 7000;
  EXPECT_THROW(build_task_data(c.target), std::exception);
}

TEST(PrepareModel, UnknownLayerInEditsIsAConfigError) {
  auto c = scratch_config();
  c.transfer.layers["features.9"] = {false, 1.0};
  try {
    prepare_model(c);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "transfer.layers.features.9: no such layer in small_cnn (see `transferlab-cli layers`)");
  }
}

TEST(PrepareModel, HeadFitsTheTargetClassesAfterMerges) {
  auto c = scratch_config();
  c.target.mismatch.merges = {{0, 1}};
  EXPECT_EQ(prepare_model(c).model->num_classes(), 3);
}

TEST(PrepareModel, LayerEditsOverrideTheStrategy) {
  auto c = scratch_config();
  c.transfer.strategy = Strategy::FeatureExtraction;
  c.transfer.layers["features.2"] = {true, 0.5};
  const auto p = prepare_model(c);
  EXPECT_TRUE(p.plan.setting_for("features.2.0.weight").trainable);
  EXPECT_FALSE(p.plan.setting_for("features.1.0.weight").trainable);
  EXPECT_FALSE(p.model->named_parameters()["features.1.0.weight"].requires_grad());
}

TEST(Experiment, ShortRealRunBeatsChanceByAWideMargin) {
  REQUIRE_FASHION_MNIST();
  const auto c = scratch_config();
  PreparedExperiment p = prepare_experiment(c);
  const TrainingOutcome outcome = Trainer::run(make_training_job(p));
  ASSERT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
  const RunRecord record = make_run_record(p, outcome);
  EXPECT_GT(record.val_accuracy, 0.7);  // chance is 0.25
  EXPECT_GT(record.test_accuracy, 0.7);
  ASSERT_EQ(record.test_per_class_accuracy.size(), 4u);
  ASSERT_FALSE(record.layers.empty());
  for (const auto& layer : record.layers) EXPECT_GT(layer.drift, 0.0) << layer.path;

  const test::TestDir scratch;
  const fs::path dir = scratch.path("run");
  write_run(record, dir.string());
  const auto j = nlohmann::json::parse(test::read_file(dir / "run.json"));
  EXPECT_EQ(j["epochs"].size(), 2u);
  for (const char* key : {"epoch", "train_loss", "val_loss", "val_accuracy", "seconds"}) {
    EXPECT_TRUE(j["epochs"][0].contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(j["final"]["test_accuracy"].get<double>(), record.test_accuracy);
  EXPECT_EQ(j["config"]["training"]["batch_size"], 32);
  // The thread count the config's "every core" became, and the weight layout.
  EXPECT_EQ(j["compute"]["threads"], training_thread_count(c.training.threads));
  EXPECT_EQ(j["compute"]["weight_memory_format"], "channels_last");
  for (const char* key : {"path", "type", "params", "trainable", "drift"}) {
    EXPECT_TRUE(j["layers"][0].contains(key)) << key;
  }
  std::ifstream csv(dir / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds");
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 2);
  EXPECT_TRUE(std::none_of(fs::directory_iterator(dir), fs::directory_iterator(),
                           [](const auto& e) { return e.path().string().find(".tmp") != std::string::npos; }));
}

TEST(Experiment, FrozenLayersHaveZeroDrift) {
  REQUIRE_FASHION_MNIST();
  auto c = scratch_config();
  c.transfer.strategy = Strategy::PartialFineTuning;
  c.training.epochs = 1;
  PreparedExperiment p = prepare_experiment(c);
  const RunRecord record = make_run_record(p, Trainer::run(make_training_job(p)));
  for (const auto& layer : record.layers) {
    const bool frozen = layer.path.rfind("features.0", 0) == 0 || layer.path.rfind("features.1", 0) == 0;
    EXPECT_EQ(layer.trainable, !frozen) << layer.path;
    if (frozen) EXPECT_EQ(layer.drift, 0.0) << layer.path;
  }
}

TEST(WriteRun, UnwritableDirectoryIsReportedNotFatal) {
  RunRecord record;
  EXPECT_THROW(write_run(record, "/proc/transferlab-cannot-write-here"), std::runtime_error);
}

}  // namespace
}  // namespace tl
