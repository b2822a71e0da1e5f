#include "support/fashion_mnist.h"
#include "support/test_dir.h"
#include "data/idx_reader.h"
#include "experiment/similarity_meter.h"
#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>


namespace tl {
namespace {

CheckpointMetadata metadata_with_recipe(const std::vector<int64_t>& source_classes) {
  ExperimentConfig recipe;
  recipe.source.classes = source_classes;
  recipe.source.val_fraction = 0.1;
  CheckpointMetadata m;
  m.architecture = "small_cnn";
  m.class_names = {"T-shirt/top", "Trouser"};
  m.normalization_mean = {0.3};
  m.normalization_std = {0.35};
  m.extra = {{"recipe", config_to_json(recipe)}};
  return m;
}

// A small_cnn checkpoint "pretrained" (randomly initialised) on classes 0 and 1, in `dir`.
std::string checkpoint_on_shirts_and_trousers(const test::TestDir& dir) {
  const std::string path = dir.path("shirts_and_trousers.safetensors");
  torch::manual_seed(11);
  Checkpoint ckpt;
  ckpt.metadata = metadata_with_recipe({0, 1});
  ckpt.tensors = state_dict(*make_model("small_cnn", 2));
  save_checkpoint(ckpt, path);
  return path;
}

TEST(SourceTaskOf, ReadsThePretrainingRecipe) {
  const DataConfig d = source_task_of(metadata_with_recipe({0, 2, 4}), "x.safetensors");
  EXPECT_EQ(d.classes, (std::vector<int64_t>{0, 2, 4}));
}

TEST(SourceTaskOf, FallsBackToTheCheckpointsClassNames) {
  CheckpointMetadata m;
  m.class_names = {"Trouser", "Bag"};
  EXPECT_EQ(source_task_of(m, "x.safetensors").classes, (std::vector<int64_t>{1, 8}));
}

TEST(SourceTaskOf, UnknownClassNameNamesTheCheckpoint) {
  CheckpointMetadata m;
  m.class_names = {"Trouser", "Cat"};
  try {
    source_task_of(m, "x.safetensors");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "x.safetensors: cannot tell the source task: no pretraining recipe and class 'Cat' is not a "
                 "Fashion-MNIST class");
  }
}

TEST(MeasureSimilarity, NeedsAPretrainedModel) {
  ExperimentConfig c;
  c.model.architecture = "small_cnn";
  try {
    measure_similarity(c);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "model.pretrained: expected a pretrained model; the similarity meter compares its source task with "
                 "the target");
  }
}

TEST(MeasureSimilarity, GrowsWithFashionMnistNoiseAtEveryDepth) {
  REQUIRE_FASHION_MNIST();
  ExperimentConfig c;
  const test::TestDir dir;
  c.model.pretrained = checkpoint_on_shirts_and_trousers(dir);
  c.target.classes = {0, 1};
  SimilarityOptions options;
  options.samples_per_domain = 200;
  options.classifier_steps = 100;
  std::vector<SimilarityReport> reports;
  for (double noise : {0.0, 0.1, 0.5, 1.0}) {
    c.target.shift = {noise > 0 ? ShiftKind::Noise : ShiftKind::None, noise, 3};
    reports.push_back(measure_similarity(c, options));
  }
  EXPECT_EQ(reports[0].recommendation.similarity, Similarity::High);
  for (size_t depth = 0; depth < reports[0].depths.size(); ++depth) {
    EXPECT_LT(std::abs(reports[0].depths[depth].mmd2), 0.02);
    for (size_t i = 1; i < reports.size(); ++i) {
      EXPECT_GT(reports[i].depths[depth].mmd2, reports[i - 1].depths[depth].mmd2)
          << "depth " << depth << ", noise step " << i;
    }
  }
  EXPECT_EQ(reports.back().recommendation.similarity, Similarity::Low);
}

}  // namespace
}  // namespace tl
