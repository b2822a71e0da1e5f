#include "analysis/pca.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

/// Rows with unequal spread along random directions, offset from the origin.
torch::Tensor sample(int64_t n, int64_t d, uint64_t seed) {
  torch::manual_seed(seed);
  const auto scales = torch::linspace(3.0, 0.2, d, torch::kDouble);
  return torch::randn({n, d}, torch::kDouble) * scales + 5.0;
}

// torch's SVD with the documented sign convention applied to its axes.
void expect_equals_svd(const torch::Tensor& x, int64_t k) {
  const Pca p = pca(x, k);
  const auto centred = x - x.mean(0);
  const auto [u, s, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);
  auto axes = vh.narrow(0, 0, k);
  const auto largest = axes.abs().argmax(1, true);
  axes = axes * axes.gather(1, largest).sign();
  const auto projection = centred.mm(axes.t());
  EXPECT_TRUE(p.components.allclose(axes, 1e-8, 1e-8)) << x.sizes();
  EXPECT_TRUE(p.projection.allclose(projection, 1e-8, 1e-8)) << x.sizes();
  // The same as U·S, the projection's other spelling.
  EXPECT_TRUE(p.projection.abs().allclose((u.narrow(1, 0, k) * s.narrow(0, 0, k)).abs(), 1e-8, 1e-8));
  const auto variance = s.pow(2) / s.pow(2).sum();
  for (int64_t i = 0; i < k; ++i) EXPECT_NEAR(p.explained_variance_ratio[i], variance[i].item<double>(), 1e-10);
  EXPECT_TRUE(p.mean.allclose(x.mean(0)));
}

TEST(Pca, EqualsTheProjectionFromTorchsSvd) {
  expect_equals_svd(sample(60, 8, 1), 2);   // more rows than columns
  expect_equals_svd(sample(12, 40, 2), 3);  // more columns than rows
}

TEST(Pca, EachAxisHasItsLargestEntryPositiveSoTheSignIsDeterministic) {
  const auto x = sample(30, 5, 3);
  const Pca p = pca(x, 2);
  const Pca mirrored = pca(-x, 2);
  EXPECT_TRUE(mirrored.components.allclose(p.components, 1e-8, 1e-8));
  EXPECT_TRUE(mirrored.projection.allclose(-p.projection, 1e-8, 1e-8));
  for (int64_t i = 0; i < 2; ++i) {
    const auto axis = p.components[i];
    EXPECT_GT(axis[axis.abs().argmax().item<int64_t>()].item<double>(), 0.0);
  }
}

TEST(Pca, KeepsTheInputsTypeAndClampsTheComponents) {
  const Pca p = pca(sample(3, 4, 4).to(torch::kFloat), 10);
  EXPECT_EQ(p.projection.scalar_type(), torch::kFloat);
  EXPECT_EQ(p.projection.sizes(), (std::vector<int64_t>{3, 3}));
}

TEST(Pca, BadInputIsNamed) {
  try {
    pca(torch::zeros({5}));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "PCA: expected a matrix [N, D] with N, D >= 1");
  }
  EXPECT_THROW(pca(torch::zeros({3, 2}), 0), std::invalid_argument);
}

}  // namespace
}  // namespace tl
