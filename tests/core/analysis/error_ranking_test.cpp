#include "analysis/error_ranking.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

ConfusionMatrix matrix_of(const std::vector<int64_t>& truth, const std::vector<int64_t>& predicted,
                          const std::vector<double>& confidence) {
  const auto n = static_cast<int64_t>(truth.size());
  auto logits = torch::zeros({n, 3}, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) logits[i][predicted[i]] = confidence[i];
  return confusion_from_logits(logits, torch::tensor(truth, torch::kLong), {"a", "b", "c"});
}

TEST(MostConfused, ListsOffDiagonalCellsByCountThenRowAndColumn) {
  // b→c twice, a→b once, c→a once, a→a once.
  const ConfusionMatrix m = matrix_of({1, 1, 0, 2, 0}, {2, 2, 1, 0, 0}, {1, 1, 1, 1, 1});
  const auto pairs = most_confused(m);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].true_class, 1);
  EXPECT_EQ(pairs[0].predicted, 2);
  EXPECT_EQ(pairs[0].count, 2);
  EXPECT_EQ(pairs[1].true_class, 0);  // tie at 1: row a before row c
  EXPECT_EQ(pairs[1].predicted, 1);
  EXPECT_EQ(pairs[2].true_class, 2);
  EXPECT_EQ(most_confused(m, 2).size(), 1u);
}

TEST(TopLosses, AreTheHighestLossesFirstWithTiesByIndex) {
  // Confident mistakes cost most; images 1 and 3 are the same mistake.
  const ConfusionMatrix m = matrix_of({0, 0, 1, 0, 2}, {0, 1, 1, 1, 0}, {5, 3, 5, 3, 1});
  const auto top = top_losses(m, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[1].index, 3);
  EXPECT_EQ(top[2].index, 4);
  EXPECT_GE(top[0].loss, top[2].loss);
  EXPECT_EQ(top_losses(m, 100).size(), 5u);
  EXPECT_TRUE(top_losses(m, 0).empty());
  try {
    top_losses(m, -1);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "top losses: k must be >= 0, got -1");
  }
}

}  // namespace
}  // namespace tl
