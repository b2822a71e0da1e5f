// Loads the real Fashion-MNIST once (Debian package dataset-fashion-mnist);
// skipped where the package is not installed.
#include "data/domain_shift.h"
#include "data/idx_reader.h"
#include "data/task_builder.h"

#include "data_test_helpers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <memory>

namespace tl {
namespace {

struct FashionMnist {
  Dataset train;
  Dataset test;
};

/// Both splits, loaded on first use and shared by every test here.
const FashionMnist* fashion_mnist() {
  static const std::unique_ptr<FashionMnist> data = []() -> std::unique_ptr<FashionMnist> {
    if (!std::filesystem::exists(default_fashion_mnist_dir())) return nullptr;
    auto d = std::make_unique<FashionMnist>();
    d->train = load_fashion_mnist(default_fashion_mnist_dir(), DataSplit::Train);
    d->test = load_fashion_mnist(default_fashion_mnist_dir(), DataSplit::Test);
    return d;
  }();
  return data.get();
}

#define REQUIRE_FASHION_MNIST()                                                        \
  if (fashion_mnist() == nullptr) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

TEST(FashionMnist, TrainSplitHasSixtyThousandImages) {
  REQUIRE_FASHION_MNIST();
  const Dataset& d = fashion_mnist()->train;
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(d.labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(d.num_classes(), 10);
  EXPECT_EQ(test::to_vector(d.class_counts()), std::vector<int64_t>(10, 6000));
}

TEST(FashionMnist, TestSplitHasTenThousandImages) {
  REQUIRE_FASHION_MNIST();
  const Dataset& d = fashion_mnist()->test;
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(test::to_vector(d.class_counts()), std::vector<int64_t>(10, 1000));
}

TEST(FashionMnist, LabelsAndPixelsAreInRange) {
  REQUIRE_FASHION_MNIST();
  for (const Dataset* d : {&fashion_mnist()->train, &fashion_mnist()->test}) {
    EXPECT_EQ(d->labels.scalar_type(), torch::kLong);
    EXPECT_EQ(d->labels.min().item<int64_t>(), 0);
    EXPECT_EQ(d->labels.max().item<int64_t>(), 9);
    EXPECT_EQ(d->images.scalar_type(), torch::kFloat);
    EXPECT_FLOAT_EQ(d->images.min().item<float>(), 0.0f);
    EXPECT_FLOAT_EQ(d->images.max().item<float>(), 1.0f);
  }
}

TEST(FashionMnist, ImagesLookLikeObjectsOnADarkBackground) {
  REQUIRE_FASHION_MNIST();
  const Dataset& d = fashion_mnist()->test;
  const double mean = d.images.mean().item<double>();
  EXPECT_GT(mean, 0.2);
  EXPECT_LT(mean, 0.4);
  const double corner = d.images.select(2, 0).select(2, 0).mean().item<double>();
  EXPECT_LT(corner, 0.01);
}

TEST(FashionMnist, FewShotTaskBuildsFromTheRealData) {
  REQUIRE_FASHION_MNIST();
  const Dataset sandals_sneakers_boots = select_classes(fashion_mnist()->train, {5, 7, 9});
  EXPECT_EQ(sandals_sneakers_boots.size(), 18000);
  const Dataset few = sample_per_class(sandals_sneakers_boots, 10, 3);
  EXPECT_EQ(test::to_vector(few.class_counts()), (std::vector<int64_t>{10, 10, 10}));
  const Dataset shifted = apply_shift(few, {ShiftKind::Rotation, 0.5, 1});
  EXPECT_EQ(shifted.images.sizes(), few.images.sizes());
}

}  // namespace
}  // namespace tl
