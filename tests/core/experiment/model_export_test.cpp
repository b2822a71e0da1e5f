#include "experiment/model_export.h"

#include "experiment/preprocessing.h"
#include "models/model_zoo.h"
#include "weights/checkpoint.h"
#include "weights/safetensors.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace tl {
namespace {

/// A finished run of small_cnn on three classes, without loading any data:
/// the export reads only the config, plan, class names and statistics.
struct FinishedRun {
  PreparedExperiment prepared;
  RunRecord record;
};

FinishedRun finished_run() {
  torch::manual_seed(3);
  FinishedRun run;
  PreparedExperiment& p = run.prepared;
  p.config.name = "export-test";
  p.config.model.architecture = "small_cnn";
  p.config.target.classes = {0, 1, 7};
  p.config.transfer.strategy = Strategy::FeatureExtraction;
  p.config.training.seed = 11;
  p.model = make_model("small_cnn", 3);
  p.plan = make_plan(Strategy::FeatureExtraction, *p.model);
  p.plan.set("features.2", {true, 0.25});
  p.plan.apply(*p.model);
  p.data.train.class_names = {"T-shirt/top", "Trouser", "Sneaker"};
  p.data.train.labels = torch::zeros({12}, torch::kLong);
  p.data.test.class_names = p.data.train.class_names;
  p.data.normalization = {{0.2860}, {0.3530}};
  run.record.config = config_to_json(p.config);
  run.record.status = RunStatus::Finished;
  run.record.val_accuracy = 0.75;
  run.record.test_accuracy = 0.8125;
  run.record.epochs.resize(2);
  return run;
}

TEST(ModelExport, RoundTripGivesTheSameLogitsAndMetadata) {
  FinishedRun run = finished_run();
  TransferModelImpl& trained = *run.prepared.model;
  const Checkpoint exported = export_model(run.prepared, trained, run.record);
  const test::TestDir scratch;
  const fs::path dir = scratch.path("export");
  write_model_export(exported, dir.string());

  const Checkpoint loaded = load_checkpoint((dir / kExportedWeightsFile).string());
  EXPECT_EQ(loaded.metadata.to_json(), exported.metadata.to_json());
  EXPECT_EQ(nlohmann::json::parse(test::read_file(dir / kExportedMetadataFile)), exported.metadata.to_json());

  TransferModel reloaded = model_from_checkpoint(loaded);
  trained.eval();
  reloaded->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({4, 1, 28, 28});
  EXPECT_TRUE(torch::equal(reloaded->forward(x), trained.forward(x)));
}

TEST(ModelExport, MetadataDescribesTheModelItsPreprocessingPlanAndRun) {
  const FinishedRun run = finished_run();
  const CheckpointMetadata m = export_model(run.prepared, *run.prepared.model, run.record).metadata;
  EXPECT_EQ(m.architecture, "small_cnn");
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"T-shirt/top", "Trouser", "Sneaker"}));
  EXPECT_EQ(m.training_images, 12);
  EXPECT_DOUBLE_EQ(m.source_accuracy, 0.8125);
  EXPECT_EQ(m.seed, 11u);

  const Preprocessing pre = Preprocessing::from_json(m.extra.at("preprocessing"));
  EXPECT_EQ(pre.resize, ResizePolicy::Stretch);
  EXPECT_EQ(pre.input.channels, 1);
  EXPECT_EQ(pre.input.height, 28);
  EXPECT_EQ(pre.mean, std::vector<double>{0.2860});
  EXPECT_EQ(pre.std, std::vector<double>{0.3530});
  EXPECT_EQ(preprocessing_of(m), pre);

  const nlohmann::json& plan = m.extra.at("freeze_plan");
  EXPECT_EQ(plan.at("strategy"), "feature_extraction");
  std::map<std::string, nlohmann::json> layers;
  for (const auto& layer : plan.at("layers")) layers[layer.at("path")] = layer;
  EXPECT_EQ(layers.at("features.0.0").at("trainable"), false);
  EXPECT_EQ(layers.at("features.2.0").at("trainable"), true);
  EXPECT_EQ(layers.at("features.2.0").at("lr_multiplier"), 0.25);
  EXPECT_EQ(layers.at("features.2.0").at("type"), "Conv2d");
  EXPECT_EQ(layers.at("classifier").at("trainable"), true);

  const nlohmann::json& record = m.extra.at("run");
  EXPECT_EQ(record.at("name"), "export-test");
  EXPECT_EQ(record.at("status"), "finished");
  EXPECT_EQ(record.at("epochs"), 2);
  EXPECT_EQ(record.at("test_accuracy"), 0.8125);
  EXPECT_EQ(record.at("config"), run.record.config);
  EXPECT_EQ(record.at("finished").get<std::string>().size(), std::string("2026-01-01T00:00:00Z").size());
  // The target becomes the exported model's recorded source task (for DANN and multi-task).
  EXPECT_EQ(m.extra.at("recipe").at("source"), run.record.config.at("target"));
  EXPECT_FALSE(m.extra.contains("pretrained"));  // trained from scratch
}

/// Debian's interpreter: python3-torchvision imports only there.
bool python_has_torchvision() { return std::system("/usr/bin/python3 -c 'import torchvision' > /dev/null 2>&1") == 0; }

// The README's Python snippet (tools/load-exported-model.py) rebuilds an
// exported torchvision architecture and must compute our logits.
TEST(ModelExport, PythonLoadsAnExportedResnetIntoTorchvisionWithTheSameLogits) {
  if (!python_has_torchvision()) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import torchvision (install python3-torchvision to run this check)";
  }
  FinishedRun run = finished_run();
  PreparedExperiment& p = run.prepared;
  p.config.model.architecture = "resnet18";
  p.model = make_model("resnet18", 3, InputShape{3, 224, 224});
  p.plan = make_plan(Strategy::PartialFineTuning, *p.model);
  p.data.normalization = {imagenet_mean(), imagenet_std()};
  const test::TestDir scratch;
  const fs::path dir = scratch.path("export");
  write_model_export(export_model(p, *p.model, run.record), dir.string());

  SafetensorsContents io;
  io.tensors["input"] = torch::randn({2, 3, 224, 224});
  p.model->eval();
  {
    torch::NoGradGuard no_grad;
    io.tensors["logits"] = p.model->forward(io.tensors["input"]).contiguous();
  }
  write_safetensors(io, (dir / "io.safetensors").string());
  const std::string script = std::string(TL_TEST_DATA_DIR) + "/../conformance/exported_model_check.py";
  const std::string command = "/usr/bin/python3 " + script + " " + (dir / kExportedWeightsFile).string() + " " +
                              (dir / "io.safetensors").string() + " > " + (dir / "python.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  const std::string log = test::read_file(dir / "python.log");
  std::cout << log;
  EXPECT_EQ(status, 0) << command << "\n" << log;
}

TEST(ModelExport, ProgressiveNetworksAreRefusedWithAReason) {
  FinishedRun run = finished_run();
  run.prepared.config.mitigations.progressive = true;
  EXPECT_FALSE(can_export_model(run.prepared));
  try {
    export_model(run.prepared, *run.prepared.model, run.record);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("progressive network"), std::string::npos) << e.what();
  }
}

TEST(Preprocessing, ImageNetStyleModelsTakeTorchvisionsEvalTransform) {
  CheckpointMetadata m;
  m.architecture = "resnet18";
  m.input = {3, 224, 224};
  const Preprocessing p = preprocessing_of(m);
  EXPECT_EQ(p.resize, ResizePolicy::ShorterSideThenCenterCrop);
  EXPECT_EQ(p.resize_size, 256);
  EXPECT_EQ(p.mean, imagenet_mean());
  EXPECT_EQ(p.std, imagenet_std());
  EXPECT_EQ(Preprocessing::from_json(p.to_json()), p);
}

TEST(Preprocessing, ImageNetStatisticsMakeAnyInputSizeImageNetStyle) {
  CheckpointMetadata m;
  m.input = {3, 112, 112};
  m.normalization_mean = imagenet_mean();
  m.normalization_std = imagenet_std();
  const Preprocessing p = preprocessing_of(m);
  EXPECT_EQ(p.resize, ResizePolicy::ShorterSideThenCenterCrop);
  EXPECT_EQ(p.resize_size, 128);
}

TEST(Preprocessing, AnImageOfTheInputSizeIsOnlyScaledAndNormalised) {
  const Preprocessing p{InputShape{1, 28, 28}, {0.5}, {0.25}, ResizePolicy::Stretch, 0};
  const auto image = torch::randint(256, {1, 28, 28}, torch::kUInt8);
  const auto expected = (image.to(torch::kFloat32) / 255.0 - 0.5) / 0.25;
  EXPECT_TRUE(torch::allclose(preprocess_image(image, p), expected, 0.0, 1e-6));
}

TEST(Preprocessing, ImageNetStyleResizesTheShorterSideAndCropsTheCentre) {
  CheckpointMetadata m;
  m.input = {3, 224, 224};
  const Preprocessing p = preprocessing_of(m);
  // Left half dark, right half bright: after the crop the boundary stays in the middle.
  auto image = torch::zeros({3, 300, 400}, torch::kUInt8);
  image.narrow(2, 200, 200).fill_(255);
  const auto x = preprocess_image(image, p);
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{3, 224, 224}));
  const double dark = (0.0 - 0.485) / 0.229, bright = (1.0 - 0.485) / 0.229;
  EXPECT_NEAR(x[0][112][0].item<double>(), dark, 1e-5);
  EXPECT_NEAR(x[0][112][223].item<double>(), bright, 1e-5);
  EXPECT_NEAR(x[0][112][100].item<double>(), dark, 1e-5);
  EXPECT_NEAR(x[0][112][123].item<double>(), bright, 1e-5);
}

TEST(Preprocessing, StretchResizesStraightToTheInputSize) {
  const Preprocessing p{InputShape{1, 28, 28}, {0.0}, {1.0}, ResizePolicy::Stretch, 0};
  const auto x = preprocess_image(torch::full({1, 56, 40}, 51, torch::kUInt8), p);
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{1, 28, 28}));
  EXPECT_NEAR(x.min().item<double>(), 0.2, 1e-5);
  EXPECT_NEAR(x.max().item<double>(), 0.2, 1e-5);
}

TEST(Preprocessing, OtherChannelCountsAreNamed) {
  const Preprocessing p{InputShape{1, 28, 28}, {0.5}, {0.25}, ResizePolicy::Stretch, 0};
  try {
    preprocess_image(torch::zeros({3, 28, 28}, torch::kUInt8), p);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "preprocessing: the model takes 1x28x28 images, got 3x28x28");
  }
}

TEST(Preprocessing, BadResizePolicyIsNamed) {
  nlohmann::json j = {{"input", {1, 28, 28}}, {"mean", {0.5}}, {"std", {0.5}}, {"resize", "squash"}};
  try {
    Preprocessing::from_json(j);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "preprocessing: \"resize\" is 'squash'; expected stretch or shorter_side_then_center_crop");
  }
}

}  // namespace
}  // namespace tl
