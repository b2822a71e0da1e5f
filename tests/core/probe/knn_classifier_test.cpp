#include "probe/knn_classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

torch::Tensor column(std::vector<float> values) {
  return torch::tensor(values).unsqueeze(1);
}

torch::Tensor labels(std::vector<int64_t> values) { return torch::tensor(values, torch::kLong); }

TEST(KnnClassifier, ReturnsTheLabelOfTheNearestPoint) {
  const auto x = torch::tensor({{0.f, 0.f}, {10.f, 0.f}, {0.f, 10.f}, {10.f, 10.f}});
  const auto y = labels({0, 1, 2, 3});
  const KnnClassifier knn(x, y, 4, 1);
  const auto queries = torch::tensor({{1.f, 1.f}, {9.f, 1.f}, {1.f, 9.f}, {9.f, 9.f}, {0.f, 0.f}});
  EXPECT_TRUE(knn.predict(queries).equal(labels({0, 1, 2, 3, 0})));
}

TEST(KnnClassifier, KDecidesBetweenOneNearPointAndAFartherGroup) {
  // One class-0 point at 0, three class-1 points near 2; the query at 0.5 has
  // the class-0 point nearest, but two of its three nearest are class 1.
  const auto x = column({0.f, 2.f, 2.1f, 2.2f});
  const auto y = labels({0, 1, 1, 1});
  const auto query = column({0.5f});
  EXPECT_EQ(KnnClassifier(x, y, 2, 1).predict(query).item<int64_t>(), 0);
  EXPECT_EQ(KnnClassifier(x, y, 2, 3).predict(query).item<int64_t>(), 1);
  EXPECT_EQ(KnnClassifier(x, y, 2, 3).k(), 3);
}

TEST(KnnClassifier, NeighboursAreSortedNearestFirstAndEqualDistancesInTrainingOrder) {
  const auto x = column({5.f, 1.f, 3.f, 1.f});
  const auto y = labels({0, 1, 0, 1});
  const KnnClassifier knn(x, y, 2, 4);
  // From 1.2: rows 1 and 3 (both at 1) tie and keep training order, then 3, then 5.
  EXPECT_TRUE(knn.neighbours(column({1.2f})).equal(torch::tensor({{1, 3, 2, 0}}, torch::kLong)));
}

TEST(KnnClassifier, ATiedVoteGoesToTheClassOfTheNearerNeighbour) {
  const auto x = column({0.f, 1.f, 4.f, 6.f});
  const auto y = labels({0, 0, 1, 1});
  const KnnClassifier knn(x, y, 2, 2);
  // From 3.2: nearest are 4 (class 1) then 1 (class 0): one vote each.
  EXPECT_EQ(knn.predict(column({3.2f})).item<int64_t>(), 1);
  // From 2.4: nearest are 1 (class 0) then 4 (class 1): one vote each.
  EXPECT_EQ(knn.predict(column({2.4f})).item<int64_t>(), 0);
}

TEST(KnnClassifier, EquidistantTieIsDecidedByTrainingOrder) {
  const auto x = column({-1.f, 1.f});
  EXPECT_EQ(KnnClassifier(x, labels({0, 1}), 2, 1).predict(column({0.f})).item<int64_t>(), 0);
  EXPECT_EQ(KnnClassifier(x, labels({1, 0}), 2, 1).predict(column({0.f})).item<int64_t>(), 1);
}

TEST(KnnClassifier, MeasuresDistancesOnStandardisedFeatures) {
  // Feature 0 spans hundreds and says nothing; feature 1 is the class. In raw
  // units the query's nearest point is (0, 0), one unit away; standardised,
  // (400, 1) is nearer (1.1 against 2.0 standard deviations).
  const auto x = torch::tensor({{0.f, 0.f}, {400.f, 1.f}, {1000.f, 0.f}, {600.f, 1.f}});
  const KnnClassifier knn(x, labels({0, 1, 0, 1}), 2, 1);
  EXPECT_EQ(knn.predict(torch::tensor({{0.f, 1.f}})).item<int64_t>(), 1);
}

TEST(KnnClassifier, RejectsKOutsideOneToTheTrainingSize) {
  const auto x = column({0.f, 1.f});
  EXPECT_THROW(KnnClassifier(x, labels({0, 1}), 2, 0), std::invalid_argument);
  EXPECT_THROW(KnnClassifier(x, labels({0, 1}), 2, 3), std::invalid_argument);
}

}  // namespace
}  // namespace tl
