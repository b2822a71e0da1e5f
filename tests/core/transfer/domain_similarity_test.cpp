#include "models/model_zoo.h"
#include "transfer/domain_similarity.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

torch::Tensor gaussian(int64_t n, int64_t dims, double mean, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({n, dims}) + mean;
}

DepthDistance depth(const std::string& block, double pad, double mmd2 = 0.0) { return {block, 8, mmd2, pad}; }

TEST(MedianHeuristicBandwidth, IsTheMedianPairwiseDistance) {
  const auto points = torch::tensor({0.0, 1.0, 3.0}).unsqueeze(1);  // distances 1, 3, 2
  EXPECT_DOUBLE_EQ(median_heuristic_bandwidth(points), 2.0);
}

TEST(MedianHeuristicBandwidth, IsOneWhenEveryPointIsTheSame) {
  EXPECT_DOUBLE_EQ(median_heuristic_bandwidth(torch::ones({5, 3})), 1.0);
}

TEST(MmdSquared, IsNearZeroForTwoSamplesOfOneDistribution) {
  EXPECT_LT(std::abs(mmd_squared(gaussian(300, 8, 0.0, 1), gaussian(300, 8, 0.0, 2))), 0.01);
}

TEST(MmdSquared, GrowsMonotonicallyWithTheMeanShift) {
  const auto x = gaussian(300, 8, 0.0, 1);
  double previous = mmd_squared(x, gaussian(300, 8, 0.0, 2));
  for (double shift : {0.25, 0.5, 1.0, 2.0}) {
    const double mmd2 = mmd_squared(x, gaussian(300, 8, shift, 2));
    EXPECT_GT(mmd2, previous) << "shift " << shift;
    previous = mmd2;
  }
  EXPECT_GT(previous, 0.3);
}

TEST(MmdSquared, RejectsFeaturesOfDifferentSizes) {
  try {
    mmd_squared(torch::zeros({4, 3}), torch::zeros({4, 2}));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "mmd_squared: expected two [N, C] feature samples with the same C");
  }
}

TEST(ProxyADistance, IsNearZeroForOneDistribution) {
  EXPECT_LT(proxy_a_distance(gaussian(400, 16, 0.0, 1), gaussian(400, 16, 0.0, 2), 1), 0.3);
}

TEST(ProxyADistance, IsNearTwoForSeparableDomains) {
  EXPECT_GT(proxy_a_distance(gaussian(400, 16, 0.0, 1), gaussian(400, 16, 3.0, 2), 1), 1.95);
}

TEST(ProxyADistance, IsReproducibleForASeed) {
  const auto x = gaussian(200, 8, 0.0, 1), y = gaussian(200, 8, 0.3, 2);
  EXPECT_DOUBLE_EQ(proxy_a_distance(x, y, 7), proxy_a_distance(x, y, 7));
}

TEST(ProxyADistance, NeedsFourSamplesPerDomain) {
  try {
    proxy_a_distance(torch::zeros({3, 2}), torch::zeros({10, 2}), 1);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "proxy_a_distance: expected at least 4 samples per domain, got 3");
  }
}

TEST(PooledBlockFeatures, GivesOneVectorPerImageAfterEveryBlockInEvalModeWithoutGrad) {
  for (const std::string arch : {"small_cnn", "resnet_narrow"}) {
    auto model = make_model(arch, 3);
    model->train();
    const auto features = pooled_block_features(*model, torch::rand({5, 1, 28, 28}), /*batch_size=*/2);
    ASSERT_EQ(static_cast<int64_t>(features.size()), model->num_blocks()) << arch;
    for (const auto& f : features) {
      EXPECT_EQ(f.dim(), 2);
      EXPECT_EQ(f.size(0), 5);
      EXPECT_FALSE(f.requires_grad());
    }
    EXPECT_EQ(features.back().size(1), model->feature_dim());
    EXPECT_TRUE(model->is_training()) << arch;
  }
}

TEST(RecommendSimilarity, DomainsALinearClassifierCannotSeparateMeanHighSimilarity) {
  const auto r = recommend_similarity({depth("block1", 0.1, 0.01), depth("block2", 0.3, 0.01), depth("block3", 0.2)});
  EXPECT_EQ(r.similarity, Similarity::High);
  EXPECT_EQ(r.strategy.strategy, default_strategy(Similarity::High).strategy);
  EXPECT_EQ(r.reason,
            "Source and target features are hard to tell apart at every depth (proxy A-distance 0.30 at block2): "
            "the pretrained features fit the target; freeze them and train a new head.");
}

TEST(RecommendSimilarity, OneSeparableDepthIsEnoughToLeaveHigh) {
  const auto r = recommend_similarity({depth("block1", 0.1, 0.01), depth("block2", 0.3, 0.01), depth("block3", 1.2)});
  EXPECT_EQ(r.similarity, Similarity::Moderate);
}

TEST(RecommendSimilarity, DifferentLowLevelFeaturesMeanLowSimilarity) {
  const auto r = recommend_similarity({depth("block1", 2.0, 0.8), depth("block2", 2.0, 0.5), depth("block3", 1.9)});
  EXPECT_EQ(r.similarity, Similarity::Low);
  EXPECT_EQ(r.strategy.strategy, default_strategy(Similarity::Low).strategy);
  EXPECT_NE(r.reason.find("MMD\u00b2 0.800 at block1"), std::string::npos) << r.reason;
}

TEST(RecommendSimilarity, CloseLowLevelButSeparableDeepFeaturesMeanModerate) {
  const auto r = recommend_similarity({depth("block1", 1.9, 0.1), depth("block2", 2.0, 0.4), depth("block3", 2.0)});
  EXPECT_EQ(r.similarity, Similarity::Moderate);
  EXPECT_EQ(r.strategy.strategy, default_strategy(Similarity::Moderate).strategy);
  EXPECT_EQ(r.reason,
            "Low-level features are close (MMD\u00b2 0.100 at block1) but deeper ones tell the domains apart "
            "(proxy A-distance 2.00 at block2): keep the lower blocks frozen and fine-tune the top block with a new "
            "head.");
}

TEST(RecommendSimilarity, NeedsAtLeastOneDepth) { EXPECT_THROW(recommend_similarity({}), std::invalid_argument); }

TEST(MeasureDomainSimilarity, SameImagesLookAlikeAndInvertedOnesDoNot) {
  torch::manual_seed(3);
  auto model = make_model("small_cnn", 2);
  const auto images = torch::rand({240, 1, 28, 28}).pow(3);  // dark images, mostly near 0
  SimilarityOptions options;
  options.samples_per_domain = 120;
  options.classifier_steps = 150;
  const auto same = measure_domain_similarity(*model, images.slice(0, 0, 120), images.slice(0, 120), options);
  const auto inverted = measure_domain_similarity(*model, images.slice(0, 0, 120), 1.0 - images.slice(0, 120), options);
  ASSERT_EQ(same.depths.size(), 3u);
  EXPECT_EQ(same.source_samples, 120);
  EXPECT_EQ(same.depths[0].block, "block1");
  for (size_t i = 0; i < same.depths.size(); ++i) {
    EXPECT_LT(same.depths[i].mmd2, inverted.depths[i].mmd2);
    EXPECT_GT(inverted.depths[i].proxy_a_distance, 1.9);
  }
  EXPECT_EQ(same.recommendation.similarity, Similarity::High);
  EXPECT_EQ(inverted.recommendation.similarity, Similarity::Low);
}

TEST(MeasureDomainSimilarity, DrawsAtMostTheRequestedSamples) {
  auto model = make_model("small_cnn", 2);
  SimilarityOptions options;
  options.samples_per_domain = 10;
  options.classifier_steps = 5;
  const auto r = measure_domain_similarity(*model, torch::rand({30, 1, 28, 28}), torch::rand({6, 1, 28, 28}), options);
  EXPECT_EQ(r.source_samples, 10);
  EXPECT_EQ(r.target_samples, 6);
}

}  // namespace
}  // namespace tl
