#include "data/dataset.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace tl {

namespace {

void check_indices(const torch::Tensor& indices, int64_t size) {
  if (!indices.defined() || indices.dim() != 1 || indices.scalar_type() != torch::kLong) {
    throw std::invalid_argument("Dataset::subset: expected indices as an int64 tensor [M]");
  }
  if (indices.numel() == 0) return;
  const int64_t lo = indices.min().item<int64_t>();
  const int64_t hi = indices.max().item<int64_t>();
  if (lo < 0 || hi >= size) {
    const int64_t bad = lo < 0 ? lo : hi;
    throw std::invalid_argument("Dataset::subset: index " + std::to_string(bad) +
                                " is out of range for a dataset of " + std::to_string(size) +
                                " examples");
  }
}

}  // namespace

Dataset Dataset::subset(const torch::Tensor& indices) const {
  check_indices(indices, size());
  Dataset out;
  out.images = images.index_select(0, indices);
  out.labels = labels.index_select(0, indices);
  out.class_names = class_names;
  return out;
}

torch::Tensor Dataset::class_counts() const {
  if (size() == 0) return torch::zeros({num_classes()}, torch::kLong);
  return torch::bincount(labels, {}, num_classes()).to(torch::kLong);
}

}  // namespace tl
