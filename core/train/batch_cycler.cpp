#include "train/batch_cycler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <stdexcept>

namespace tl {

BatchCycler::BatchCycler(Dataset data, int64_t batch_size, uint64_t seed)
    : data_(std::move(data)),
      batch_size_(std::min(batch_size, data_.size())),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  if (data_.size() == 0) throw std::invalid_argument("batch cycler: the dataset is empty");
  if (batch_size < 1) throw std::invalid_argument("batch cycler: batch_size must be >= 1");
}

torch::Tensor BatchCycler::next() {
  const int64_t n = data_.size();
  // A batch never straddles two permutations, so no image repeats inside one.
  if (!order_.defined() || position_ + batch_size_ > n) {
    order_ = torch::randperm(n, generator_, torch::kLong);
    position_ = 0;
  }
  auto idx = order_.slice(0, position_, position_ + batch_size_);
  position_ += batch_size_;
  return idx;
}

}  // namespace tl
