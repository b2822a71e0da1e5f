#pragma once

#include "data/dataset.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace tl::test {

/// The what() of the exception `f` throws, or a failure when it throws none.
template <typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

/// A dataset with `counts[c]` examples of class c (names "c0", "c1", ...),
/// labels interleaved, and every pixel of example i equal to i, so a test can
/// tell which original example ended up where.
inline Dataset make_id_dataset(const std::vector<int64_t>& counts, int64_t channels = 1,
                               int64_t height = 2, int64_t width = 2) {
  std::vector<int64_t> labels;
  std::vector<int64_t> left = counts;
  for (bool any = true; any;) {
    any = false;
    for (size_t c = 0; c < left.size(); ++c) {
      if (left[c] == 0) continue;
      labels.push_back(static_cast<int64_t>(c));
      --left[c];
      any = true;
    }
  }
  const auto n = static_cast<int64_t>(labels.size());
  Dataset d;
  d.labels = torch::tensor(labels, torch::kLong);
  d.images = torch::arange(n, torch::kFloat).view({n, 1, 1, 1}).expand({n, channels, height, width}).contiguous();
  for (size_t c = 0; c < counts.size(); ++c) d.class_names.push_back("c" + std::to_string(c));
  return d;
}

/// The example ids (pixel value) of an id dataset, as a vector.
inline std::vector<int64_t> ids_of(const Dataset& d) {
  const torch::Tensor ids = d.images.select(1, 0).select(1, 0).select(1, 0).to(torch::kLong).contiguous();
  return std::vector<int64_t>(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
}

inline std::vector<int64_t> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

/// Random images in [0, 1], reproducible, independent of the global seed.
inline Dataset make_random_dataset(int64_t n, int64_t channels, int64_t height, int64_t width,
                                   uint64_t seed = 7) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Dataset d;
  d.images = torch::rand({n, channels, height, width}, gen, torch::kFloat);
  d.labels = torch::arange(n, torch::kLong).remainder(2);
  d.class_names = {"a", "b"};
  return d;
}

}  // namespace tl::test
