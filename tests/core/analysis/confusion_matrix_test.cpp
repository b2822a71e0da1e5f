#include "analysis/confusion_matrix.h"

#include "experiment/experiment.h"
#include "train/trainer.h"
#include "weights/checkpoint.h"
#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace tl {
namespace {

// Four images of three classes: 0 → 0, 0 → 2, 1 → 1, 2 → 2.
ConfusionMatrix small_matrix() {
  const auto logits = torch::tensor({{3.0, 1.0, 0.0}, {0.0, 1.0, 2.0}, {0.0, 5.0, 0.0}, {1.0, 0.0, 4.0}});
  return confusion_from_logits(logits, torch::tensor({0, 0, 1, 2}, torch::kLong), {"a", "b", "c"});
}

TEST(ConfusionMatrix, CountsEachImageInItsTrueRowAndPredictedColumn) {
  const ConfusionMatrix m = small_matrix();
  EXPECT_EQ(m.counts, (std::vector<int64_t>{1, 0, 1, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(m.total(), 4);
  EXPECT_EQ(m.correct(), 3);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.75);
  EXPECT_EQ(m.row_normalised(), (std::vector<double>{0.5, 0.0, 0.5, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0}));
  EXPECT_EQ(m.per_class_accuracy(), (std::vector<double>{0.5, 1.0, 1.0}));
}

TEST(ConfusionMatrix, RecordsProbabilityOfThePredictionAndLossOfTheTruth) {
  const ConfusionMatrix m = small_matrix();
  const ImagePrediction& wrong = m.predictions[1];  // true 0, predicted 2
  const double norm = std::exp(0.0) + std::exp(1.0) + std::exp(2.0);
  EXPECT_EQ(wrong.index, 1);
  EXPECT_EQ(wrong.true_class, 0);
  EXPECT_EQ(wrong.predicted, 2);
  EXPECT_NEAR(wrong.probability, std::exp(2.0) / norm, 1e-6);
  EXPECT_NEAR(wrong.loss, -std::log(std::exp(0.0) / norm), 1e-6);
}

TEST(ConfusionMatrix, AGalleryCellListsExactlyTheImagesCountedThere) {
  const ConfusionMatrix m = small_matrix();
  const auto cell = m.cell_images(0, 2);
  ASSERT_EQ(cell.size(), 1u);
  EXPECT_EQ(cell[0].index, 1);
  EXPECT_TRUE(m.cell_images(1, 0).empty());
  EXPECT_THROW(m.cell_images(3, 0), std::out_of_range);
}

TEST(ConfusionMatrix, DifferenceIsCellWise) {
  const ConfusionMatrix a = small_matrix();
  const auto logits = torch::tensor({{3.0, 1.0, 0.0}, {3.0, 1.0, 0.0}, {3.0, 1.0, 0.0}, {3.0, 1.0, 0.0}});
  const ConfusionMatrix b = confusion_from_logits(logits, torch::tensor({0, 0, 1, 2}, torch::kLong), {"a", "b", "c"});
  EXPECT_EQ(confusion_difference(a, b), (std::vector<int64_t>{-1, 0, 1, -1, 1, 0, -1, 0, 1}));
  const ConfusionMatrix other = confusion_from_logits(torch::zeros({1, 2}), torch::zeros({1}, torch::kLong), {"a", "b"});
  EXPECT_THROW(confusion_difference(a, other), std::invalid_argument);
}

TEST(ConfusionMatrix, ModelAndTestSetWithOtherClassCountsAreNamed) {
  TransferModel model = model_from_checkpoint(load_checkpoint(resolve_checkpoint("small_cnn-fmnist0-4")));
  Dataset test;
  test.images = torch::zeros({2, 1, 28, 28});
  test.labels = torch::zeros({2}, torch::kLong);
  test.class_names = {"a", "b"};
  try {
    confusion_matrix(*model, test);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "confusion matrix: the model predicts 5 classes but the test set has 2");
  }
}

// The pretrained small_cnn on its own source task (Fashion-MNIST classes 0-4):
// a real model on real images, right most of the time but not always.
class ConfusionOnRealData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Checkpoint checkpoint = load_checkpoint(resolve_checkpoint("small_cnn-fmnist0-4"));
    model_ = new TransferModel(model_from_checkpoint(checkpoint));
    DataConfig source;
    source.classes = {0, 1, 2, 3, 4};
    source.test_per_class = 60;
    test_ = new Dataset(build_task_data(source, Normalization{checkpoint.metadata.normalization_mean,
                                                              checkpoint.metadata.normalization_std})
                            .test);
  }
  static void TearDownTestSuite() {
    delete model_;
    delete test_;
  }
  static TransferModel* model_;
  static Dataset* test_;
};
TransferModel* ConfusionOnRealData::model_ = nullptr;
Dataset* ConfusionOnRealData::test_ = nullptr;

TEST_F(ConfusionOnRealData, SumsToTheTestCountAndItsDiagonalAgreesWithEvaluate) {
  const ConfusionMatrix m = confusion_matrix(**model_, *test_);
  const Evaluation e = evaluate(**model_, *test_);
  EXPECT_EQ(m.total(), test_->size());
  EXPECT_EQ(static_cast<int64_t>(m.predictions.size()), test_->size());
  EXPECT_DOUBLE_EQ(m.accuracy(), e.accuracy);
  ASSERT_EQ(m.per_class_accuracy().size(), e.per_class_accuracy.size());
  for (size_t c = 0; c < e.per_class_accuracy.size(); ++c) {
    EXPECT_DOUBLE_EQ(m.per_class_accuracy()[c], e.per_class_accuracy[c]) << "class " << c;
  }
  EXPECT_LT(m.accuracy(), 1.0);  // some confusions, or the next checks prove little
  EXPECT_GT(m.accuracy(), 0.5);
}

TEST_F(ConfusionOnRealData, EveryCellsGalleryHoldsExactlyItsImages) {
  const ConfusionMatrix m = confusion_matrix(**model_, *test_);
  torch::NoGradGuard no_grad;
  (*model_)->eval();
  const auto predicted = (*model_)->forward(test_->images).argmax(1);
  int64_t listed = 0;
  for (int64_t r = 0; r < m.classes(); ++r) {
    for (int64_t c = 0; c < m.classes(); ++c) {
      const auto cell = m.cell_images(r, c);
      EXPECT_EQ(static_cast<int64_t>(cell.size()), m.count(r, c));
      for (const auto& p : cell) {
        EXPECT_EQ(test_->labels[p.index].item<int64_t>(), r);
        EXPECT_EQ(predicted[p.index].item<int64_t>(), c);
      }
      listed += static_cast<int64_t>(cell.size());
    }
  }
  EXPECT_EQ(listed, test_->size());
}

TEST_F(ConfusionOnRealData, LeavesTheModelInTheModeItFoundItIn) {
  (*model_)->train();
  confusion_matrix(**model_, *test_);
  EXPECT_TRUE((*model_)->is_training());
  (*model_)->eval();
}

}  // namespace
}  // namespace tl
