#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// A labelled image set held in memory.
///
/// `images` is float32 [N, C, H, W]; before normalisation pixel values are in
/// [0, 1]. `labels` is int64 [N] with values in [0, class_names.size()).
/// Every transformation in core/data returns a new Dataset and leaves its input
/// untouched, so one loaded split can feed several tasks.
struct Dataset {
  torch::Tensor images;
  torch::Tensor labels;
  std::vector<std::string> class_names;

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }

  /// The examples at `indices` (int64 [M]), in that order, with the same classes.
  Dataset subset(const torch::Tensor& indices) const;

  /// Number of examples per class, int64 [num_classes()].
  torch::Tensor class_counts() const;
};

}  // namespace tl
