#pragma once

#include "data/dataset.h"
#include "models/transfer_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// What a model said about one test image.
struct ImagePrediction {
  int64_t index = 0;         ///< position in the test set
  int64_t true_class = 0;
  int64_t predicted = 0;     ///< argmax of the logits
  double probability = 0.0;  ///< softmax probability of the predicted class
  double loss = 0.0;         ///< cross-entropy of the true class, −log p(true)
};

/// A model's confusion matrix on a test set, with every image it counts.
///
/// Row = true class, column = predicted class. `predictions` holds one entry
/// per test image in test-set order, so a cell's gallery (cell_images) is
/// exactly the images counted in it.
struct ConfusionMatrix {
  std::vector<std::string> class_names;
  std::vector<int64_t> counts;  ///< row-major [classes × classes]
  std::vector<ImagePrediction> predictions;

  int64_t classes() const { return static_cast<int64_t>(class_names.size()); }
  int64_t count(int64_t true_class, int64_t predicted) const { return counts.at(true_class * classes() + predicted); }
  int64_t total() const;    ///< the number of test images
  int64_t correct() const;  ///< the diagonal's sum
  double accuracy() const;  ///< correct / total; 0 for an empty test set

  /// Each row divided by its sum (the fraction of a class predicted as each
  /// class); a row without images stays 0. Row-major [classes × classes].
  std::vector<double> row_normalised() const;

  /// The diagonal over each row's sum: per-class accuracy (0 for a class
  /// without test images), as evaluate() reports it.
  std::vector<double> per_class_accuracy() const;

  /// The images of class `true_class` predicted as `predicted`, in test-set
  /// order. Throws std::out_of_range for a class outside the matrix.
  std::vector<ImagePrediction> cell_images(int64_t true_class, int64_t predicted) const;
};

/// Runs `model` in eval mode without gradients over `test` (batches of
/// `batch_size`, as evaluate() does, so the diagonal agrees with its
/// accuracy) and counts every prediction. The model's mode is restored.
/// Throws std::invalid_argument when the model's head and the test set's
/// classes differ in number.
ConfusionMatrix confusion_matrix(TransferModelImpl& model, const Dataset& test, int64_t batch_size = 256);

/// The matrix of predictions already made (labels, logits → predictions);
/// `logits` [N, classes], `labels` [N].
ConfusionMatrix confusion_from_logits(const torch::Tensor& logits, const torch::Tensor& labels,
                                      const std::vector<std::string>& class_names);

/// Cell-wise `minuend` − `subtrahend` (transfer − twin), row-major. Throws
/// std::invalid_argument when the two do not have the same classes.
std::vector<int64_t> confusion_difference(const ConfusionMatrix& minuend, const ConfusionMatrix& subtrahend);

}  // namespace tl
