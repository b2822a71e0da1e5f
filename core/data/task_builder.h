#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace tl {

/// Keeps only the examples whose label is in `classes` and relabels them
/// 0..classes.size()-1 in the order given (so {5,6,7} maps 5→0, 6→1, 7→2).
/// Class names follow. Throws when `classes` is empty, has duplicates or names
/// a class the dataset does not have.
Dataset select_classes(const Dataset& data, const std::vector<int64_t>& classes);

/// Draws `k` examples of every class without replacement, deterministically
/// for `seed`. Throws, naming the class and how many it has, when a class has
/// fewer than `k` examples. k <= 0 is an error too.
Dataset sample_per_class(const Dataset& data, int64_t k, uint64_t seed);

/// Splits off a stratified validation set holding `fraction` (0 < f < 1) of
/// each class (at least one example per class when the class has two or more).
/// Returns {train, validation}. Deterministic for `seed`.
std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed);

/// Per-channel mean and standard deviation used to normalise images.
struct Normalization {
  std::vector<double> mean;
  std::vector<double> std;
};

/// The per-channel statistics of `data.images` (population std). A constant
/// channel gets std 1, so normalising only centres it. Throws when empty.
Normalization compute_normalization(const Dataset& data);

/// (x - mean) / std per channel. Throws when the channel counts differ.
Dataset normalize(const Dataset& data, const Normalization& norm);

}  // namespace tl
