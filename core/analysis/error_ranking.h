#pragma once

#include "analysis/confusion_matrix.h"

#include <cstdint>
#include <vector>

namespace tl {

/// An off-diagonal cell of a confusion matrix: images of `true_class`
/// predicted as `predicted`.
struct ConfusedPair {
  int64_t true_class = 0;
  int64_t predicted = 0;
  int64_t count = 0;
};

/// The off-diagonal cells with at least `min_count` images, most images
/// first (ties: by true class, then predicted class), as fastai's
/// ClassificationInterpretation.most_confused lists them.
std::vector<ConfusedPair> most_confused(const ConfusionMatrix& matrix, int64_t min_count = 1);

/// The `k` test images with the highest loss (fewer when the test set is
/// smaller), highest first (ties: lower index first), as fastai's
/// plot_top_losses picks them. Throws std::invalid_argument for k < 0.
std::vector<ImagePrediction> top_losses(const ConfusionMatrix& matrix, int64_t k);

}  // namespace tl
