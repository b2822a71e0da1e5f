#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace tl {

/// Dials that make source labels disagree with the target task: how a teacher
/// shows that transfer needs not only similar images but similar label meaning.
struct LabelMismatch {
  /// Ratio of the rarest to the most common class after subsampling, in (0, 1];
  /// class c keeps a fraction imbalance^(c / (K − 1)) of its examples. 1 = none.
  double imbalance = 1.0;
  /// Fraction of labels replaced by a different class drawn uniformly, in [0, 1).
  double label_noise = 0.0;
  /// Pairs of classes whose labels are exchanged (the meaning is swapped).
  std::vector<std::pair<int64_t, int64_t>> swaps;
  /// Groups of classes merged into one class (named "a+b"); the merged label
  /// takes the first class's place and the remaining classes are renumbered.
  std::vector<std::vector<int64_t>> merges;
  uint64_t seed = 0;

  bool is_identity() const {
    return imbalance == 1.0 && label_noise == 0.0 && swaps.empty() && merges.empty();
  }
};

/// Applies swaps, then merges, then imbalance, then label noise. Throws naming
/// the offending value when a dial is out of range or names an unknown class.
Dataset apply_label_mismatch(const Dataset& data, const LabelMismatch& mismatch);

}  // namespace tl
