#pragma once

#include "data/dataset.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace tl::test {

/// A learnable synthetic task: the class decides which quadrant of a 28×28
/// image is bright. `inverted` gives the same task in another domain (a dark
/// quadrant on a bright background).
inline Dataset quadrant_task(int64_t n, uint64_t seed, bool inverted = false) {
  torch::manual_seed(seed);
  Dataset d;
  d.labels = torch::randint(0, 4, {n}, torch::kLong);
  d.images = torch::rand({n, 1, 28, 28}) * 0.2;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = d.labels[i].item<int64_t>();
    d.images[i].slice(1, (c / 2) * 14, (c / 2) * 14 + 14).slice(2, (c % 2) * 14, (c % 2) * 14 + 14) += 0.8;
  }
  if (inverted) d.images = 1.0 - d.images;
  d.class_names = {"a", "b", "c", "d"};
  return d;
}

/// Copies of every parameter and buffer, by name.
inline std::map<std::string, torch::Tensor> snapshot(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> s;
  for (const auto& p : m.named_parameters()) s[p.key()] = p.value().detach().clone();
  for (const auto& b : m.named_buffers()) s[b.key()] = b.value().detach().clone();
  return s;
}

}  // namespace tl::test
