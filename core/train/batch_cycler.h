#pragma once

#include "data/dataset.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>

namespace tl {

/// Endless shuffled batches from a dataset that is drawn alongside the main
/// training set (DANN's unlabelled target images, multi-task's source task):
/// each pass over it is a new permutation, so the two sets may differ in size.
class BatchCycler {
 public:
  /// Throws when `data` is empty or batch_size < 1.
  BatchCycler(Dataset data, int64_t batch_size, uint64_t seed);

  /// Indices into data() of the next batch (batch_size of them, or all when
  /// the set is smaller).
  torch::Tensor next();

  const Dataset& data() const { return data_; }

  /// Swaps in a dataset of the same size (e.g. its cached activations)
  /// without disturbing the order of the batches still to come.
  void replace_data(Dataset data);

  /// Where the cycler stands: its generator's state, the current permutation
  /// (undefined before the first batch) and the position in it. restore()
  /// makes the following batches equal those that followed state().
  struct State {
    torch::Tensor generator;
    torch::Tensor order;
    int64_t position = 0;
  };
  State state() const;
  void restore(const State& state);

 private:
  Dataset data_;
  int64_t batch_size_;
  at::Generator generator_;
  torch::Tensor order_;
  int64_t position_ = 0;
};

}  // namespace tl
