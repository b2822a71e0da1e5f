#include "analysis/error_ranking.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tl {

std::vector<ConfusedPair> most_confused(const ConfusionMatrix& matrix, int64_t min_count) {
  std::vector<ConfusedPair> pairs;
  for (int64_t r = 0; r < matrix.classes(); ++r) {
    for (int64_t c = 0; c < matrix.classes(); ++c) {
      const int64_t n = matrix.count(r, c);
      if (r != c && n > 0 && n >= min_count) pairs.push_back({r, c, n});
    }
  }
  // Row-major collection order is the tie-break; a stable sort keeps it.
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  return pairs;
}

std::vector<ImagePrediction> top_losses(const ConfusionMatrix& matrix, int64_t k) {
  if (k < 0) throw std::invalid_argument("top losses: k must be >= 0, got " + std::to_string(k));
  std::vector<ImagePrediction> ranked = matrix.predictions;
  const auto n = std::min<size_t>(static_cast<size_t>(k), ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    [](const ImagePrediction& a, const ImagePrediction& b) {
                      return a.loss != b.loss ? a.loss > b.loss : a.index < b.index;
                    });
  ranked.resize(n);
  return ranked;
}

}  // namespace tl
