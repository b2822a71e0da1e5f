#include "experiment/experiment.h"
#include "experiment/run_record.h"
#include "experiment/folder_task.h"
#include "support/config_error.h"
#include "support/image_files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace tl {
namespace {

using test::config_error;
using test::config_error_of;

// A tiny colour folder: class c is bright in channel c, so it is learnable.
void write_colour_classes(const test::ImageDir& dir, int per_class) {
  const std::vector<std::string> classes = {"blue", "green", "red"};
  for (int64_t c = 0; c < 3; ++c) {
    for (int i = 0; i < per_class; ++i) {
      torch::Tensor image = test::gradient_image(3, 12, 12, i * 7) / 4;
      image[2 - c] += 180;  // "blue" is channel 2, "red" channel 0
      dir.write_png(classes[c] + "/" + std::to_string(i) + ".png", image);
    }
  }
}

// Keeps the decode cache of a test inside its own temporary directory.
class FolderTask : public ::testing::Test {
 protected:
  void SetUp() override { setenv("XDG_CACHE_HOME", cache_.root().c_str(), 1); }
  void TearDown() override { unsetenv("XDG_CACHE_HOME"); }

  ExperimentConfig folder_config(const std::string& architecture) const {
    ExperimentConfig c;
    c.name = "folder";
    c.model.architecture = architecture;
    c.target.dataset = kImageFolderDataset;
    c.target.folder = images_.root();
    c.target.val_fraction = 0.2;
    c.transfer.strategy = Strategy::FullFineTuning;
    c.training.epochs = 1;
    c.training.batch_size = 4;
    return c;
  }

  test::ImageDir images_;
  test::ImageDir cache_;
};

TEST(FolderConfig, AFolderKeyMakesAnImageFolderTargetAndRoundTrips) {
  const ExperimentConfig c =
      config_from_json({{"model", {{"architecture", "small_cnn"}}}, {"target", {{"folder", "/data/pets"}}}});
  EXPECT_EQ(c.target.dataset, "image-folder");
  EXPECT_EQ(c.target.folder, "/data/pets");
  const nlohmann::json written = config_to_json(c);
  EXPECT_EQ(written["target"]["folder"], "/data/pets");
  EXPECT_FALSE(written["target"].contains("classes"));
  EXPECT_EQ(config_from_json(written).target.folder, "/data/pets");
  // Fashion-MNIST configs stay as they were.
  EXPECT_EQ(config_to_json(config_from_json({{"target", {{"classes", {1, 2}}}}}))["target"]["dataset"],
            "fashion-mnist");
}

TEST(FolderConfig, FashionMnistOnlyFieldsAreRefused) {
  const auto target = [](nlohmann::json fields) { return nlohmann::json{{"target", fields}}; };
  EXPECT_EQ(config_error(target({{"folder", "/d"}, {"classes", {0, 1}}})),
            "target.classes: applies to Fashion-MNIST only; an image folder uses all its class folders as they are");
  EXPECT_EQ(config_error(target({{"folder", "/d"}, {"shift", {{"kind", "blur"}}}})),
            "target.shift: applies to Fashion-MNIST only; an image folder uses all its class folders as they are");
  EXPECT_EQ(config_error(target({{"folder", "/d"}, {"labelled", false}})),
            "target.labelled: an image folder is labelled by its class folders; unlabelled targets (for DANN) are "
            "Fashion-MNIST only");
  EXPECT_EQ(config_error(target({{"dataset", "image-folder"}})),
            "target.folder: expected the path of an image folder (<folder>/<class name>/<image>)");
  EXPECT_EQ(config_error(target({{"dataset", "fashion-mnist"}, {"folder", "/d"}})),
            "target.folder: needs \"dataset\": \"image-folder\" (or no dataset field)");
  EXPECT_EQ(config_error({{"source", {{"folder", "/d"}}}}),
            "source.dataset: image folders are target tasks; the source task is the one the pretrained model was "
            "trained on");
}

TEST_F(FolderTask, MissingOrOneClassFolderIsAConfigErrorNamingThePath) {
  ExperimentConfig c = folder_config("small_cnn");
  c.target.folder = images_.path("absent");
  EXPECT_EQ(config_error_of([&] { prepare_experiment(c); }), "target.folder: " + images_.path("absent") +
                                                                  ": no such folder");
  images_.write_png("only/a.png", test::gradient_image(3, 4, 4));
  c.target.folder = images_.root();
  EXPECT_EQ(config_error_of([&] { prepare_experiment(c); }),
            "target.folder: " + images_.root() + ": only one class folder ('only'); a classifier needs at least two");
}

TEST_F(FolderTask, ColourFolderTrainsAGreyModelAndRunJsonReportsTheData) {
  write_colour_classes(images_, 8);
  images_.write_text("red/broken.png", "not a picture");
  const ExperimentConfig c = folder_config("small_cnn");

  std::vector<int64_t> progress;
  DataLoadObserver observer;
  observer.progress = [&](int64_t done, int64_t) { progress.push_back(done); };
  PreparedExperiment p = prepare_experiment(c, observer);
  // Per class: 8 files, 2 drawn for test, 1 of the other 6 for validation.
  EXPECT_EQ(p.data.train.images.sizes(), (std::vector<int64_t>{15, 1, 28, 28}));
  EXPECT_EQ(p.data.train.class_names, (std::vector<std::string>{"blue", "green", "red"}));
  EXPECT_EQ(p.model->num_classes(), 3);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 25);

  const RunRecord record = make_run_record(p, Trainer::run(make_training_job(p)));
  ASSERT_EQ(record.status, RunStatus::Finished) << record.message;
  write_run(record, cache_.path("run"));
  std::ifstream in(cache_.path("run/run.json"));
  const nlohmann::json report = nlohmann::json::parse(in).at("data_report");
  EXPECT_EQ(report.at("skipped_count"), 1);
  EXPECT_EQ(report.at("skipped_first")[0].at("path"), images_.path("red/broken.png"));
  EXPECT_EQ(report.at("images_per_class").at("green").at("train"), 5);
  EXPECT_EQ(report.at("from_cache"), false);

  // The next run of the same folder decodes nothing.
  EXPECT_TRUE(prepare_experiment(c).data.folder_report->from_cache);
}

TEST_F(FolderTask, ColourModelAt224TrainsOnSmallColourImages) {
  write_colour_classes(images_, 4);
  ExperimentConfig c = folder_config("resnet18");
  c.target.val_fraction = 0.25;
  PreparedExperiment p = prepare_experiment(c);
  EXPECT_EQ(p.data.train.images.sizes(), (std::vector<int64_t>{6, 3, 224, 224}));
  // An untrained torchvision architecture takes its own 3x224x224 input and,
  // bringing no normalisation, the training images' own statistics.
  EXPECT_EQ(p.data.normalization.mean.size(), 3u);
  const TrainingOutcome outcome = Trainer::run(make_training_job(p));
  EXPECT_EQ(outcome.status, RunStatus::Finished) << outcome.message;
}

TEST_F(FolderTask, KShotSamplingAppliesToFolders) {
  write_colour_classes(images_, 10);
  ExperimentConfig c = folder_config("small_cnn");
  c.target.shots_per_class = 2;
  const TaskData data = build_task_data(c.target, std::nullopt, "target", {1, 28, 28});
  EXPECT_EQ(data.folder_report->train_per_class, (std::vector<int64_t>{2, 2, 2}));
  c.target.shots_per_class = 50;
  EXPECT_EQ(config_error_of([&] { build_task_data(c.target, std::nullopt, "target", {1, 28, 28}); })
                .rfind("target.shots_per_class: ", 0),
            0u);
}

TEST_F(FolderTask, APretrainedModelsNormalisationIsUsed) {
  write_colour_classes(images_, 3);
  ExperimentConfig c = folder_config("");
  c.model.pretrained = "small_cnn-fmnist0-4";
  const PreparedExperiment p = prepare_experiment(c);
  ASSERT_TRUE(p.pretrained);
  EXPECT_EQ(p.data.normalization.mean, p.pretrained->normalization_mean);
  EXPECT_EQ(p.data.normalization.std, p.pretrained->normalization_std);
}

TEST_F(FolderTask, DannRefusesAFolderTarget) {
  write_colour_classes(images_, 3);
  ExperimentConfig c = folder_config("small_cnn");
  c.model.architecture.clear();
  c.model.pretrained = "small_cnn-fmnist0-4";
  c.mitigations.dann = true;
  EXPECT_EQ(config_error_of([&] { prepare_experiment(c); }).rfind("mitigations.dann: ", 0), 0u);
}

}  // namespace
}  // namespace tl
