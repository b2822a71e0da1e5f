#include "data/dataset.h"

#include "data_test_helpers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

using namespace test;  // data_test_helpers.h: make_id_dataset, ids_of, to_vector, error_message

TEST(Dataset, EmptyDatasetHasSizeZero) {
  Dataset d;
  EXPECT_EQ(d.size(), 0);
  EXPECT_EQ(d.num_classes(), 0);
}

TEST(Dataset, SubsetKeepsTheGivenOrderAndClasses) {
  const Dataset d = make_id_dataset({3, 3});
  const Dataset s = d.subset(torch::tensor({4, 0, 4}, torch::kLong));
  EXPECT_EQ(ids_of(s), (std::vector<int64_t>{4, 0, 4}));
  EXPECT_EQ(to_vector(s.labels), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(s.class_names, d.class_names);
  EXPECT_EQ(s.images.sizes(), (std::vector<int64_t>{3, 1, 2, 2}));
}

TEST(Dataset, SubsetLeavesTheInputUntouched) {
  const Dataset d = make_id_dataset({2, 2});
  Dataset s = d.subset(torch::tensor({1}, torch::kLong));
  s.images.fill_(99);
  EXPECT_EQ(ids_of(d), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Dataset, SubsetRejectsIndicesOutOfRange) {
  const Dataset d = make_id_dataset({5, 5});
  EXPECT_EQ(error_message([&] { d.subset(torch::tensor({3, 10}, torch::kLong)); }),
            "Dataset::subset: index 10 is out of range for a dataset of 10 examples");
  EXPECT_EQ(error_message([&] { d.subset(torch::tensor({-1}, torch::kLong)); }),
            "Dataset::subset: index -1 is out of range for a dataset of 10 examples");
}

TEST(Dataset, SubsetRejectsNonIntegerIndices) {
  const Dataset d = make_id_dataset({2});
  EXPECT_EQ(error_message([&] { d.subset(torch::tensor({0.0f})); }),
            "Dataset::subset: expected indices as an int64 tensor [M]");
}

TEST(Dataset, ClassCountsCountEveryClassIncludingEmptyOnes) {
  const Dataset d = make_id_dataset({3, 0, 5});
  EXPECT_EQ(to_vector(d.class_counts()), (std::vector<int64_t>{3, 0, 5}));
  Dataset empty;
  empty.class_names = {"x", "y"};
  EXPECT_EQ(to_vector(empty.class_counts()), (std::vector<int64_t>{0, 0}));
}

}  // namespace
}  // namespace tl
