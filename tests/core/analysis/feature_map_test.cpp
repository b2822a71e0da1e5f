#include "analysis/feature_map.h"

#include "analysis/analysis_control.h"
#include "experiment/experiment_config.h"
#include "models/small_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

namespace tl {
namespace {

Dataset images(int64_t n, int64_t classes, double brightness, uint64_t seed) {
  torch::manual_seed(seed);
  Dataset d;
  d.images = torch::rand({n, 1, 28, 28}) * 0.2 + brightness;
  d.labels = torch::arange(n, torch::kLong).remainder(classes);
  for (int64_t c = 0; c < classes; ++c) d.class_names.push_back("class " + std::to_string(c));
  return d;
}

FeatureMapOptions quick(int64_t samples) {
  FeatureMapOptions o;
  o.samples_per_domain = samples;
  o.tsne_options.iterations = 250;
  return o;
}

TEST(FeatureMap, DrawsUpToNImagesOfEachDomainAndPlacesThemAll) {
  torch::manual_seed(1);
  SmallCnn model(3);
  const Dataset source = images(50, 4, 0.0, 2);
  const Dataset target = images(30, 3, 0.8, 3);
  const FeatureMap map = compute_feature_map(*model, source, target, quick(40));
  EXPECT_EQ(map.layer, "features.2");
  EXPECT_EQ(map.features, 128);
  EXPECT_EQ(map.count(Domain::Source), 40);
  EXPECT_EQ(map.count(Domain::Target), 30);
  EXPECT_EQ(map.source_classes.size(), 4u);
  std::set<int64_t> drawn;
  for (const auto& p : map.points) {
    if (p.domain == Domain::Source) {
      EXPECT_EQ(p.correct, -1);
      EXPECT_EQ(p.label, source.labels[p.index].item<int64_t>());
      drawn.insert(p.index);
    } else {
      EXPECT_TRUE(p.correct == 0 || p.correct == 1);
    }
  }
  EXPECT_EQ(drawn.size(), 40u);
  EXPECT_TRUE(map.has_tsne);
  EXPECT_EQ(map.pca_explained_variance.size(), 2u);
  // A bright target and a dark source are told apart at once.
  ASSERT_TRUE(map.mmd2 && map.proxy_a_distance);
  EXPECT_GT(*map.proxy_a_distance, 1.5);
}

TEST(FeatureMap, JudgesTargetImagesByTheModelsPrediction) {
  torch::manual_seed(4);
  SmallCnn model(3);
  model->eval();
  const Dataset target = images(12, 3, 0.3, 5);
  FeatureMapOptions o = quick(100);
  o.tsne = false;
  const FeatureMap map = compute_feature_map(*model, Dataset{}, target, o);
  torch::NoGradGuard no_grad;
  const auto predicted = model->forward(target.images).argmax(1);
  ASSERT_EQ(map.points.size(), 12u);
  for (const auto& p : map.points) {
    EXPECT_EQ(p.correct, predicted[p.index].item<int64_t>() == p.label ? 1 : 0);
  }
  EXPECT_FALSE(map.mmd2.has_value());  // one domain: nothing to compare
  EXPECT_FALSE(map.has_tsne);
  // Predictions the caller already has give the same marks without a forward pass.
  o.target_predictions = predicted;
  const FeatureMap given = compute_feature_map(*model, Dataset{}, target, o);
  for (size_t i = 0; i < given.points.size(); ++i) EXPECT_EQ(given.points[i].correct, map.points[i].correct);
  o.target_predictions = torch::zeros({3}, torch::kLong);
  EXPECT_THROW(compute_feature_map(*model, Dataset{}, target, o), std::invalid_argument);
  o.target_predictions = torch::Tensor();
  o.judge_predictions = false;
  for (const auto& p : compute_feature_map(*model, Dataset{}, target, o).points) EXPECT_EQ(p.correct, -1);
}

TEST(FeatureMap, ReadsAnyProbePointAndNamesTheOnesItCannot) {
  SmallCnn model(3);
  const Dataset target = images(10, 2, 0.5, 6);
  FeatureMapOptions o = quick(10);
  o.layer = "features.0";
  EXPECT_EQ(compute_feature_map(*model, Dataset{}, target, o).features, 2048);  // 32x14x14 pooled to 32x8x8
  o.layer = "features.7";
  try {
    compute_feature_map(*model, Dataset{}, target, o);
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("feature map layer: no layer 'features.7' in small_cnn", 0), 0u);
  }
}

TEST(FeatureMap, TheSameSeedDrawsTheSameImagesAndTheSamePicture) {
  SmallCnn model(3);
  const Dataset source = images(60, 3, 0.0, 7);
  const Dataset target = images(60, 3, 0.5, 8);
  const FeatureMap a = compute_feature_map(*model, source, target, quick(20));
  const FeatureMap b = compute_feature_map(*model, source, target, quick(20));
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].index, b.points[i].index);
    EXPECT_EQ(a.points[i].tsne_x, b.points[i].tsne_x);
    EXPECT_EQ(a.points[i].pca_y, b.points[i].pca_y);
  }
  std::atomic<bool> cancel{true};
  FeatureMapOptions o = quick(20);
  o.cancel = &cancel;
  EXPECT_THROW(compute_feature_map(*model, source, target, o), AnalysisCancelled);
}

}  // namespace
}  // namespace tl
