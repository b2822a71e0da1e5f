#include "probe/logistic_regression.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace tl {
namespace {

/// Three well separated Gaussian clouds in 6 dimensions, centres on the axes.
std::pair<torch::Tensor, torch::Tensor> separable_clouds(int64_t per_class, uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<torch::Tensor> xs, ys;
  for (int64_t c = 0; c < 3; ++c) {
    auto centre = torch::zeros({6});
    centre[c] = 6.0;
    xs.push_back(centre + 0.5 * torch::randn({per_class, 6}));
    ys.push_back(torch::full({per_class}, c, torch::kLong));
  }
  return {torch::cat(xs), torch::cat(ys)};
}

TEST(LogisticRegression, ReachesFullAccuracyOnLinearlySeparableClasses) {
  const auto [x, y] = separable_clouds(40, 1);
  const auto [test_x, test_y] = separable_clouds(40, 2);
  const auto model = LogisticRegression::fit(x, y, 3);
  EXPECT_TRUE(model.predict(x).equal(y));
  EXPECT_GE(model.predict(test_x).eq(test_y).to(torch::kDouble).mean().item<double>(), 0.99);
}

TEST(LogisticRegression, LossStartsAtLogClassesAndNeverRises) {
  const auto [x, y] = separable_clouds(30, 3);
  const auto model = LogisticRegression::fit(x, y, 3);
  const auto& losses = model.loss_history();
  ASSERT_GE(losses.size(), 3u);
  EXPECT_NEAR(losses.front(), std::log(3.0), 1e-5);  // zero weights: uniform softmax
  for (size_t i = 1; i < losses.size(); ++i) EXPECT_LE(losses[i], losses[i - 1] + 1e-7) << "iteration " << i;
  EXPECT_LT(losses.back(), 0.1 * losses.front());
  EXPECT_EQ(model.iterations(), static_cast<int64_t>(losses.size()) - 1);
}

TEST(LogisticRegression, StrongerPenaltyGivesSmallerLogits) {
  const auto [x, y] = separable_clouds(30, 4);
  LogisticRegressionOptions weak, strong;
  weak.l2 = 1e-3;
  strong.l2 = 1.0;
  const double weak_norm = LogisticRegression::fit(x, y, 3, weak).logits(x).norm().item<double>();
  const double strong_norm = LogisticRegression::fit(x, y, 3, strong).logits(x).norm().item<double>();
  EXPECT_LT(strong_norm, 0.5 * weak_norm);
}

TEST(LogisticRegression, SameDataGivesTheSameModel) {
  const auto [x, y] = separable_clouds(20, 5);
  const auto a = LogisticRegression::fit(x, y, 3).logits(x);
  const auto b = LogisticRegression::fit(x, y, 3).logits(x);
  EXPECT_TRUE(a.equal(b));
}

TEST(LogisticRegression, StandardisesSoAScaledFeatureDoesNotChangePredictions) {
  const auto [x, y] = separable_clouds(30, 6);
  auto scaled = x.clone();
  scaled.select(1, 0).mul_(1000.0);
  const auto [test_x, test_y] = separable_clouds(30, 7);
  auto test_scaled = test_x.clone();
  test_scaled.select(1, 0).mul_(1000.0);
  EXPECT_TRUE(LogisticRegression::fit(x, y, 3).predict(test_x).equal(
      LogisticRegression::fit(scaled, y, 3).predict(test_scaled)));
}

TEST(LogisticRegression, RejectsLabelsOutsideTheClasses) {
  const auto [x, y] = separable_clouds(5, 8);
  EXPECT_THROW(LogisticRegression::fit(x, y, 2), std::invalid_argument);
  EXPECT_THROW(LogisticRegression::fit(x, y.narrow(0, 0, 3), 3), std::invalid_argument);
}

}  // namespace
}  // namespace tl
