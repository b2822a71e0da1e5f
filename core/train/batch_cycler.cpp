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

void BatchCycler::replace_data(Dataset data) {
  if (data.size() != data_.size()) {
    throw std::invalid_argument("batch cycler: the replacement dataset has " + std::to_string(data.size()) +
                                " images instead of " + std::to_string(data_.size()));
  }
  data_ = std::move(data);
}

BatchCycler::State BatchCycler::state() const {
  return {generator_.get_state(), order_.defined() ? order_.clone() : torch::Tensor(), position_};
}

void BatchCycler::restore(const State& state) {
  if (state.order.defined() && (state.order.dim() != 1 || state.order.size(0) != data_.size())) {
    throw std::invalid_argument("batch cycler: the saved order does not fit a dataset of " +
                                std::to_string(data_.size()) + " images");
  }
  if (state.position < 0 || state.position > data_.size()) {
    throw std::invalid_argument("batch cycler: the saved position is out of range");
  }
  generator_.set_state(state.generator);
  order_ = state.order.defined() ? state.order.clone() : torch::Tensor();
  position_ = state.position;
}

}  // namespace tl
