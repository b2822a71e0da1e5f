#include "data/task_builder.h"

#include "data_test_helpers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <set>

namespace tl {
namespace {

using namespace test;  // data_test_helpers.h: make_id_dataset, ids_of, to_vector, error_message

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ---- select_classes ---------------------------------------------------------

TEST(SelectClasses, RelabelsInTheGivenOrder) {
  const Dataset d = make_id_dataset({2, 2, 2, 2, 2, 2, 2, 2});
  const Dataset s = select_classes(d, {5, 6, 7});
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"c5", "c6", "c7"}));
  EXPECT_EQ(s.size(), 6);
  const auto original = to_vector(d.labels);
  const auto ids = ids_of(s);
  const auto labels = to_vector(s.labels);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(labels[i] + 5, original[ids[i]]);
}

TEST(SelectClasses, ReversedOrderReversesTheLabels) {
  const Dataset d = make_id_dataset({1, 3, 2});
  const Dataset s = select_classes(d, {2, 0});
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"c2", "c0"}));
  EXPECT_EQ(to_vector(s.class_counts()), (std::vector<int64_t>{2, 1}));
}

TEST(SelectClasses, KeepsTheDatasetOrderOfExamples) {
  const Dataset d = make_id_dataset({3, 3, 3});
  const auto ids = ids_of(select_classes(d, {2, 0}));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(SelectClasses, RejectsEmptyDuplicateAndUnknownClasses) {
  const Dataset d = make_id_dataset({1, 1, 1});
  EXPECT_EQ(error_message([&] { select_classes(d, {}); }), "select_classes: the class list is empty");
  EXPECT_EQ(error_message([&] { select_classes(d, {1, 2, 1}); }),
            "select_classes: class 1 is listed twice");
  EXPECT_EQ(error_message([&] { select_classes(d, {0, 3}); }),
            "select_classes: class 3 does not exist: expected 0 to 2");
  EXPECT_EQ(error_message([&] { select_classes(d, {-1}); }),
            "select_classes: class -1 does not exist: expected 0 to 2");
}

// ---- sample_per_class -------------------------------------------------------

TEST(SamplePerClass, DrawsKDistinctExamplesOfEveryClass) {
  const Dataset d = make_id_dataset({20, 7, 12});
  const Dataset s = sample_per_class(d, 5, 1);
  EXPECT_EQ(to_vector(s.class_counts()), (std::vector<int64_t>{5, 5, 5}));
  const auto ids = ids_of(s);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 15u);
  const auto original = to_vector(d.labels);
  const auto labels = to_vector(s.labels);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(labels[i], original[ids[i]]);
  EXPECT_EQ(s.class_names, d.class_names);
}

TEST(SamplePerClass, IsDeterministicForASeed) {
  const Dataset d = make_id_dataset({50, 50});
  EXPECT_EQ(ids_of(sample_per_class(d, 4, 9)), ids_of(sample_per_class(d, 4, 9)));
  torch::manual_seed(1);
  const auto a = ids_of(sample_per_class(d, 4, 9));
  torch::manual_seed(2);
  EXPECT_EQ(ids_of(sample_per_class(d, 4, 9)), a);
}

TEST(SamplePerClass, DifferentSeedsDrawDifferentExamples) {
  const Dataset d = make_id_dataset({50, 50});
  EXPECT_NE(ids_of(sample_per_class(d, 4, 1)), ids_of(sample_per_class(d, 4, 2)));
}

TEST(SamplePerClass, SmallerKDrawsASubsetOfLargerK) {
  const Dataset d = make_id_dataset({30, 30});
  const auto small = ids_of(sample_per_class(d, 3, 5));
  const auto large = ids_of(sample_per_class(d, 8, 5));
  EXPECT_TRUE(std::includes(large.begin(), large.end(), small.begin(), small.end()));
}

TEST(SamplePerClass, KEqualToTheClassSizeTakesEverything) {
  const Dataset d = make_id_dataset({4, 4});
  EXPECT_EQ(ids_of(sample_per_class(d, 4, 3)), ids_of(d));
}

TEST(SamplePerClass, TooLargeKNamesTheClassAndItsCount) {
  const Dataset d = make_id_dataset({10, 10, 3});
  EXPECT_EQ(error_message([&] { sample_per_class(d, 5, 1); }),
            "sample_per_class: class 2 (c2) has 3 examples, fewer than k = 5");
}

TEST(SamplePerClass, NonPositiveKIsAnError) {
  const Dataset d = make_id_dataset({3});
  EXPECT_EQ(error_message([&] { sample_per_class(d, 0, 1); }),
            "sample_per_class: k must be at least 1, got 0");
}

// ---- split_validation -------------------------------------------------------

TEST(SplitValidation, IsStratifiedPerClass) {
  const Dataset d = make_id_dataset({100, 50, 10, 2, 1});
  const auto [train, val] = split_validation(d, 0.2, 4);
  EXPECT_EQ(to_vector(val.class_counts()), (std::vector<int64_t>{20, 10, 2, 1, 0}));
  EXPECT_EQ(to_vector(train.class_counts()), (std::vector<int64_t>{80, 40, 8, 1, 1}));
  EXPECT_EQ(val.class_names, d.class_names);
}

TEST(SplitValidation, KeepsOneOfEachClassOnBothSides) {
  const Dataset d = make_id_dataset({3, 5});
  const auto [low_train, low_val] = split_validation(d, 0.01, 1);
  EXPECT_EQ(to_vector(low_val.class_counts()), (std::vector<int64_t>{1, 1}));
  const auto [high_train, high_val] = split_validation(d, 0.99, 1);
  EXPECT_EQ(to_vector(high_train.class_counts()), (std::vector<int64_t>{1, 1}));
}

TEST(SplitValidation, PartsAreDisjointAndCoverTheData) {
  const Dataset d = make_id_dataset({40, 25, 13});
  const auto [train, val] = split_validation(d, 0.3, 8);
  std::vector<int64_t> all = ids_of(train);
  const auto v = ids_of(val);
  all.insert(all.end(), v.begin(), v.end());
  EXPECT_EQ(sorted(all), ids_of(d));
  const auto original = to_vector(d.labels);
  const auto labels = to_vector(val.labels);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(labels[i], original[v[i]]);
}

TEST(SplitValidation, IsDeterministicForASeedAndVariesAcrossSeeds) {
  const Dataset d = make_id_dataset({40, 40});
  EXPECT_EQ(ids_of(split_validation(d, 0.25, 3).second), ids_of(split_validation(d, 0.25, 3).second));
  EXPECT_NE(ids_of(split_validation(d, 0.25, 3).second), ids_of(split_validation(d, 0.25, 4).second));
}

TEST(SplitValidation, FractionOutsideZeroOneIsAnError) {
  const Dataset d = make_id_dataset({4});
  EXPECT_EQ(error_message([&] { split_validation(d, 0.0, 1); }),
            "split_validation: fraction must be between 0 and 1 (exclusive), got 0");
  EXPECT_EQ(error_message([&] { split_validation(d, 1.5, 1); }),
            "split_validation: fraction must be between 0 and 1 (exclusive), got 1.5");
}

// ---- normalisation ----------------------------------------------------------

TEST(Normalization, ComputesPerChannelMeanAndStd) {
  Dataset d;
  // Channel 0 holds 1 and 3 (mean 2, std 1); channel 1 is constant 5.
  d.images = torch::stack({torch::stack({torch::full({2, 2}, 1.0f), torch::full({2, 2}, 5.0f)}),
                           torch::stack({torch::full({2, 2}, 3.0f), torch::full({2, 2}, 5.0f)})});
  d.labels = torch::tensor({0, 0}, torch::kLong);
  d.class_names = {"x"};
  const Normalization n = compute_normalization(d);
  ASSERT_EQ(n.mean.size(), 2u);
  EXPECT_NEAR(n.mean[0], 2.0, 1e-6);
  EXPECT_NEAR(n.std[0], 1.0, 1e-6);
  EXPECT_NEAR(n.mean[1], 5.0, 1e-6);
  EXPECT_EQ(n.std[1], 1.0);  // a constant channel is only centred
}

TEST(Normalization, NormalizedImagesHaveZeroMeanAndUnitStd) {
  const Dataset d = test::make_random_dataset(16, 3, 5, 7);
  const Dataset z = normalize(d, compute_normalization(d));
  const auto [var, mean] = torch::var_mean(z.images, {0, 2, 3}, false);
  EXPECT_TRUE(torch::allclose(mean, torch::zeros({3}), 0.0, 1e-5));
  EXPECT_TRUE(torch::allclose(var, torch::ones({3}), 0.0, 1e-4));
  EXPECT_TRUE(torch::equal(z.labels, d.labels));
  EXPECT_EQ(d.images.min().item<float>() >= 0.0f, true);  // the input is untouched
}

TEST(Normalization, AppliesTheGivenStatistics) {
  const Dataset d = test::make_random_dataset(2, 1, 3, 3);
  const Dataset z = normalize(d, Normalization{{0.5}, {0.25}});
  EXPECT_TRUE(torch::allclose(z.images, (d.images - 0.5) / 0.25));
}

TEST(Normalization, ChannelCountMismatchIsAnError) {
  const Dataset d = test::make_random_dataset(2, 1, 3, 3);
  EXPECT_EQ(error_message([&] { normalize(d, Normalization{{0.1, 0.2, 0.3}, {1, 1, 1}}); }),
            "normalize: the normalisation has 3 channels (mean) and 3 channels (std) but the "
            "images have 1 channel");
  EXPECT_EQ(error_message([&] { normalize(d, Normalization{{0.1}, {0.0}}); }),
            "normalize: std of channel 0 must be positive, got 0");
}

TEST(Normalization, EmptyDatasetIsAnError) {
  Dataset d = test::make_random_dataset(0, 1, 3, 3);
  EXPECT_EQ(error_message([&] { compute_normalization(d); }),
            "compute_normalization: the dataset is empty");
}

}  // namespace
}  // namespace tl
