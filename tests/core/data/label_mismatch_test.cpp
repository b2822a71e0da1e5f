#include "data/label_mismatch.h"

#include "data_test_helpers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace tl {
namespace {

using namespace test;  // data_test_helpers.h: make_id_dataset, ids_of, to_vector, error_message

/// Labels of the result, indexed by original example id.
std::vector<int64_t> labels_by_id(const Dataset& out, int64_t n) {
  std::vector<int64_t> by_id(static_cast<size_t>(n), -1);
  const auto ids = ids_of(out);
  const auto labels = to_vector(out.labels);
  for (size_t i = 0; i < ids.size(); ++i) by_id[static_cast<size_t>(ids[i])] = labels[i];
  return by_id;
}

LabelMismatch with_swaps(std::vector<std::pair<int64_t, int64_t>> swaps) {
  LabelMismatch m;
  m.swaps = std::move(swaps);
  return m;
}

LabelMismatch with_merges(std::vector<std::vector<int64_t>> merges) {
  LabelMismatch m;
  m.merges = std::move(merges);
  return m;
}

TEST(LabelMismatch, DefaultIsTheIdentity) {
  const Dataset d = make_id_dataset({3, 4, 5});
  const LabelMismatch m;
  EXPECT_TRUE(m.is_identity());
  const Dataset out = apply_label_mismatch(d, m);
  EXPECT_TRUE(torch::equal(out.labels, d.labels));
  EXPECT_TRUE(torch::equal(out.images, d.images));
  EXPECT_EQ(out.class_names, d.class_names);
}

TEST(LabelMismatch, SwapExchangesTheLabelsOfTwoClasses) {
  const Dataset d = make_id_dataset({2, 3, 4});
  const Dataset out = apply_label_mismatch(d, with_swaps({{0, 2}}));
  EXPECT_EQ(out.class_names, d.class_names);
  EXPECT_TRUE(torch::equal(out.images, d.images));
  const auto before = to_vector(d.labels);
  const auto after = to_vector(out.labels);
  const std::vector<int64_t> expected_of = {2, 1, 0};
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], expected_of[before[i]]);
  EXPECT_EQ(to_vector(out.class_counts()), (std::vector<int64_t>{4, 3, 2}));
}

TEST(LabelMismatch, SwapsApplyInSequence) {
  const Dataset d = make_id_dataset({1, 1, 1});
  // (0 1) then (1 2): class 0 → 1 → 2, class 1 → 0, class 2 → 1.
  const Dataset out = apply_label_mismatch(d, with_swaps({{0, 1}, {1, 2}}));
  EXPECT_EQ(to_vector(out.labels), (std::vector<int64_t>{2, 0, 1}));
}

TEST(LabelMismatch, MergeNamesTheGroupAndRenumbersTheRest) {
  const Dataset d = make_id_dataset({1, 1, 1, 1, 1});
  const Dataset out = apply_label_mismatch(d, with_merges({{1, 3}}));
  EXPECT_EQ(out.class_names, (std::vector<std::string>{"c0", "c1+c3", "c2", "c4"}));
  EXPECT_EQ(to_vector(out.labels), (std::vector<int64_t>{0, 1, 2, 1, 3}));
}

TEST(LabelMismatch, MergeTakesTheFirstListedClassPlace) {
  const Dataset d = make_id_dataset({1, 1, 1, 1, 1});
  const Dataset out = apply_label_mismatch(d, with_merges({{3, 1}, {4, 0}}));
  EXPECT_EQ(out.class_names, (std::vector<std::string>{"c2", "c3+c1", "c4+c0"}));
  EXPECT_EQ(to_vector(out.labels), (std::vector<int64_t>{2, 1, 0, 1, 2}));
}

TEST(LabelMismatch, SwapsComeBeforeMerges) {
  const Dataset d = make_id_dataset({1, 1, 1});
  LabelMismatch m = with_swaps({{0, 2}});
  m.merges = {{0, 1}};
  // After the swap class-2 images carry label 0, which merges with 1.
  const Dataset out = apply_label_mismatch(d, m);
  EXPECT_EQ(out.class_names, (std::vector<std::string>{"c0+c1", "c2"}));
  EXPECT_EQ(to_vector(out.labels), (std::vector<int64_t>{1, 0, 0}));
}

TEST(LabelMismatch, ImbalanceKeepsAGeometricShareOfEachClass) {
  const Dataset d = make_id_dataset({200, 200, 200, 200, 200});
  LabelMismatch m;
  m.imbalance = 0.1;
  const Dataset out = apply_label_mismatch(d, m);
  const auto counts = to_vector(out.class_counts());
  for (int64_t c = 0; c < 5; ++c) {
    EXPECT_EQ(counts[c], std::llround(200 * std::pow(0.1, c / 4.0))) << c;
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(counts[4]) / counts[0], 0.1);
  // The kept examples keep their labels and images.
  const auto original = to_vector(d.labels);
  const auto ids = ids_of(out);
  const auto labels = to_vector(out.labels);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(labels[i], original[ids[i]]);
}

TEST(LabelMismatch, ImbalanceNeverEmptiesAClass) {
  const Dataset d = make_id_dataset({3, 3});
  LabelMismatch m;
  m.imbalance = 0.01;
  EXPECT_EQ(to_vector(apply_label_mismatch(d, m).class_counts()), (std::vector<int64_t>{3, 1}));
}

TEST(LabelMismatch, LabelNoiseChangesTheRequestedShareToOtherClasses) {
  const Dataset d = make_id_dataset({250, 250, 250, 250});
  LabelMismatch m;
  m.label_noise = 0.3;
  m.seed = 5;
  const Dataset out = apply_label_mismatch(d, m);
  EXPECT_TRUE(torch::equal(out.images, d.images));
  const double changed = (out.labels != d.labels).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(changed, 0.3, 0.01);
  EXPECT_GE(out.labels.min().item<int64_t>(), 0);
  EXPECT_LE(out.labels.max().item<int64_t>(), 3);
  // Noisy labels spread over every class.
  const torch::Tensor noisy = out.labels.masked_select(out.labels != d.labels);
  const auto counts = to_vector(torch::bincount(noisy, {}, 4));
  for (int64_t c : counts) EXPECT_GT(c, 40);
}

TEST(LabelMismatch, IsDeterministicForASeed) {
  const Dataset d = make_id_dataset({60, 60, 60});
  LabelMismatch m;
  m.imbalance = 0.5;
  m.label_noise = 0.2;
  m.seed = 11;
  const Dataset a = apply_label_mismatch(d, m);
  const Dataset b = apply_label_mismatch(d, m);
  EXPECT_TRUE(torch::equal(a.labels, b.labels));
  EXPECT_TRUE(torch::equal(a.images, b.images));
  m.seed = 12;
  EXPECT_NE(labels_by_id(a, d.size()), labels_by_id(apply_label_mismatch(d, m), d.size()));
}

TEST(LabelMismatch, OutOfRangeDialsNameTheValue) {
  const Dataset d = make_id_dataset({2, 2, 2, 2, 2});
  LabelMismatch m;
  m.imbalance = 0.0;
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, m); }),
            "apply_label_mismatch: imbalance must be in (0, 1], got 0");
  m.imbalance = 1.5;
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, m); }),
            "apply_label_mismatch: imbalance must be in (0, 1], got 1.5");
  m.imbalance = 1.0;
  m.label_noise = 1.0;
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, m); }),
            "apply_label_mismatch: label_noise must be in [0, 1), got 1");
  m.label_noise = -0.25;
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, m); }),
            "apply_label_mismatch: label_noise must be in [0, 1), got -0.25");
}

TEST(LabelMismatch, UnknownClassesInSwapsAndMergesAreErrors) {
  const Dataset d = make_id_dataset({2, 2, 2, 2, 2});
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, with_swaps({{0, 7}})); }),
            "apply_label_mismatch: swap (0, 7) names class 7: expected 0 to 4");
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, with_swaps({{2, 2}})); }),
            "apply_label_mismatch: swap (2, 2) exchanges a class with itself");
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, with_merges({{1, -1}})); }),
            "apply_label_mismatch: merge {1, -1} names class -1: expected 0 to 4");
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, with_merges({{2}})); }),
            "apply_label_mismatch: merge {2} needs at least two classes");
  EXPECT_EQ(error_message([&] { apply_label_mismatch(d, with_merges({{0, 1}, {1, 2}})); }),
            "apply_label_mismatch: merge {1, 2}: class 1 is already merged");
}

TEST(LabelMismatch, NoiseNeedsTwoClasses) {
  LabelMismatch m;
  m.merges = {{0, 1}};
  m.label_noise = 0.1;
  EXPECT_EQ(error_message([&] { apply_label_mismatch(make_id_dataset({2, 2}), m); }),
            "apply_label_mismatch: label_noise needs at least two classes, the dataset has 1");
}

}  // namespace
}  // namespace tl
