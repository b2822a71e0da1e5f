#include "transfer/domain_classifier.h"
#include "transfer/gradient_reversal.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace tl {
namespace {

TEST(GradientReversal, IsTheIdentityForward) {
  const auto x = torch::randn({5, 3});
  EXPECT_TRUE(torch::equal(reverse_gradient(x, 0.3), x));
}

TEST(GradientReversal, FlipsAndScalesTheGradientExactly) {
  torch::manual_seed(1);
  const auto x = torch::randn({4, 3}, torch::requires_grad());
  const auto upstream = torch::randn({4, 3});
  (reverse_gradient(x, 0.7) * upstream).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), upstream * -0.7));
}

TEST(GradientReversal, ReversesOnlyWhatPassesThroughIt) {
  const auto x = torch::ones({2, 2}, torch::requires_grad());
  (reverse_gradient(x, 2.0).sum() + x.sum()).backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::full({2, 2}, -1.0)));  // -2 from the reversal, +1 direct
}

TEST(GradientReversal, ZeroLambdaBlocksTheGradient) {
  const auto x = torch::ones({3}, torch::requires_grad());
  reverse_gradient(x, 0.0).sum().backward();
  EXPECT_EQ(x.grad().abs().sum().item<double>(), 0.0);
}

TEST(GradientReversal, NegativeLambdaIsRejected) {
  EXPECT_THROW(reverse_gradient(torch::ones({1}), -0.5), std::invalid_argument);
}

TEST(DannLambda, FollowsTheScheduleOfGaninAndLempitsky) {
  EXPECT_DOUBLE_EQ(dann_lambda(0.0), 0.0);
  EXPECT_NEAR(dann_lambda(0.5), 2.0 / (1.0 + std::exp(-5.0)) - 1.0, 1e-15);
  EXPECT_NEAR(dann_lambda(0.5), 0.986614298, 1e-9);
  EXPECT_NEAR(dann_lambda(1.0), 0.999909204, 1e-9);
  EXPECT_LT(dann_lambda(0.1), dann_lambda(0.2));
}

TEST(DomainClassifier, GivesOneLogitPerImage) {
  DomainClassifier classifier(16);
  EXPECT_EQ(classifier->forward(torch::randn({7, 16})).sizes(), torch::IntArrayRef({7}));
  EXPECT_THROW(DomainClassifier(0), std::invalid_argument);
}

}  // namespace
}  // namespace tl
