#include "probe/feature_scaler.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

TEST(FeatureScaler, GivesTrainingColumnsZeroMeanAndUnitVariance) {
  torch::manual_seed(1);
  const auto x = torch::randn({200, 3}) * torch::tensor({1.f, 50.f, 0.01f}) + torch::tensor({5.f, -3.f, 1.f});
  const FeatureScaler scaler(x);
  const auto z = scaler.transform(x);
  EXPECT_TRUE(z.mean(0).abs().max().item<float>() < 1e-4);
  EXPECT_TRUE((z.std(0, /*unbiased=*/false) - 1).abs().max().item<float>() < 1e-4);
  // Other data goes through the training set's statistics, not its own.
  const auto other = torch::tensor({{5.f, -3.f, 1.f}, {0.f, 0.f, 0.f}});
  EXPECT_TRUE(scaler.transform(other).allclose((other - x.mean(0)) / x.std(0, /*unbiased=*/false), 1e-4, 1e-4));
}

TEST(FeatureScaler, LeavesConstantColumnsUnscaled) {
  const auto x = torch::tensor({{1.f, 7.f}, {3.f, 7.f}});
  const FeatureScaler scaler(x);
  EXPECT_EQ(scaler.scale()[1].item<float>(), 1.f);
  EXPECT_TRUE(scaler.transform(torch::tensor({{2.f, 9.f}})).equal(torch::tensor({{0.f, 2.f}})));
}

TEST(FeatureScaler, RejectsRowsOfAnotherWidth) {
  const FeatureScaler scaler(torch::ones({4, 3}));
  EXPECT_THROW(scaler.transform(torch::ones({2, 2})), std::invalid_argument);
}

}  // namespace
}  // namespace tl
