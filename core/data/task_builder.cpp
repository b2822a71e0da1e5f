#include "data/task_builder.h"

#include "data/seeded_generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tl {

namespace {

std::invalid_argument error(const std::string& what) { return std::invalid_argument(what); }

std::string class_label(const Dataset& data, int64_t c) {
  return "class " + std::to_string(c) + " (" + data.class_names[c] + ")";
}

void check_classes(const Dataset& data, const std::vector<int64_t>& classes) {
  if (classes.empty()) throw error("select_classes: the class list is empty");
  std::set<int64_t> seen;
  for (int64_t c : classes) {
    if (c < 0 || c >= data.num_classes()) {
      throw error("select_classes: class " + std::to_string(c) + " does not exist: expected 0 to " +
                  std::to_string(data.num_classes() - 1));
    }
    if (!seen.insert(c).second) {
      throw error("select_classes: class " + std::to_string(c) + " is listed twice");
    }
  }
}

/// Indices (ascending) of the examples with label `c`.
torch::Tensor indices_of_class(const Dataset& data, int64_t c) {
  return torch::nonzero(data.labels == c).squeeze(1);
}

/// The first `n` of a random order of `indices`.
torch::Tensor random_pick(const torch::Tensor& indices, int64_t n, at::Generator& gen) {
  torch::Tensor order = torch::randperm(indices.size(0), gen, torch::kLong);
  return indices.index_select(0, order.narrow(0, 0, n));
}

/// Sorted concatenation, so picked examples keep the dataset's order.
torch::Tensor sorted_cat(const std::vector<torch::Tensor>& parts) {
  if (parts.empty()) return torch::empty({0}, torch::kLong);
  return std::get<0>(torch::sort(torch::cat(parts)));
}

int64_t validation_count(int64_t n, double fraction) {
  if (n < 2) return 0;
  const auto v = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
  return std::clamp<int64_t>(v, 1, n - 1);
}

void check_images(const Dataset& data, const char* who) {
  if (!data.images.defined() || data.images.dim() != 4) {
    throw error(std::string(who) + ": expected images as a float tensor [N, C, H, W]");
  }
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string channel_text(size_t c) { return std::to_string(c) + (c == 1 ? " channel" : " channels"); }

}  // namespace

Dataset select_classes(const Dataset& data, const std::vector<int64_t>& classes) {
  check_classes(data, classes);
  std::vector<int64_t> table(static_cast<size_t>(data.num_classes()), -1);
  Dataset out;
  for (size_t i = 0; i < classes.size(); ++i) {
    table[static_cast<size_t>(classes[i])] = static_cast<int64_t>(i);
    out.class_names.push_back(data.class_names[static_cast<size_t>(classes[i])]);
  }
  const torch::Tensor lut = torch::tensor(table, torch::kLong);
  const torch::Tensor mapped = lut.index_select(0, data.labels);
  const torch::Tensor keep = torch::nonzero(mapped >= 0).squeeze(1);
  out.images = data.images.index_select(0, keep);
  out.labels = mapped.index_select(0, keep);
  return out;
}

Dataset sample_per_class(const Dataset& data, int64_t k, uint64_t seed) {
  if (k <= 0) throw error("sample_per_class: k must be at least 1, got " + std::to_string(k));
  at::Generator gen = seeded_generator(seed, 1);
  std::vector<torch::Tensor> picked;
  for (int64_t c = 0; c < data.num_classes(); ++c) {
    const torch::Tensor idx = indices_of_class(data, c);
    if (idx.size(0) < k) {
      throw error("sample_per_class: " + class_label(data, c) + " has " +
                  std::to_string(idx.size(0)) + " examples, fewer than k = " + std::to_string(k));
    }
    picked.push_back(random_pick(idx, k, gen));
  }
  return data.subset(sorted_cat(picked));
}

std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, uint64_t seed) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    throw error("split_validation: fraction must be between 0 and 1 (exclusive), got " +
                num(fraction));
  }
  at::Generator gen = seeded_generator(seed, 2);
  std::vector<torch::Tensor> train;
  std::vector<torch::Tensor> val;
  for (int64_t c = 0; c < data.num_classes(); ++c) {
    const torch::Tensor idx = indices_of_class(data, c);
    const int64_t n = idx.size(0);
    const torch::Tensor shuffled = random_pick(idx, n, gen);
    const int64_t v = validation_count(n, fraction);
    val.push_back(shuffled.narrow(0, 0, v));
    train.push_back(shuffled.narrow(0, v, n - v));
  }
  return {data.subset(sorted_cat(train)), data.subset(sorted_cat(val))};
}

Normalization compute_normalization(const Dataset& data) {
  check_images(data, "compute_normalization");
  if (data.size() == 0) throw error("compute_normalization: the dataset is empty");
  const auto [var, mean] = torch::var_mean(data.images.to(torch::kFloat), {0, 2, 3}, false);
  Normalization norm;
  for (int64_t c = 0; c < mean.size(0); ++c) {
    const double sd = std::sqrt(var[c].item<double>());
    norm.mean.push_back(mean[c].item<double>());
    norm.std.push_back(sd > 1e-12 ? sd : 1.0);
  }
  return norm;
}

Dataset normalize(const Dataset& data, const Normalization& norm) {
  check_images(data, "normalize");
  const auto channels = static_cast<size_t>(data.images.size(1));
  if (norm.mean.size() != channels || norm.std.size() != channels) {
    throw error("normalize: the normalisation has " + channel_text(norm.mean.size()) +
                " (mean) and " + channel_text(norm.std.size()) + " (std) but the images have " +
                channel_text(channels));
  }
  for (size_t c = 0; c < channels; ++c) {
    if (!(norm.std[c] > 0.0)) {
      throw error("normalize: std of channel " + std::to_string(c) + " must be positive, got " +
                  num(norm.std[c]));
    }
  }
  const auto shape = std::vector<int64_t>{1, static_cast<int64_t>(channels), 1, 1};
  const torch::Tensor mean = torch::tensor(norm.mean, torch::kDouble).view(shape).to(torch::kFloat);
  const torch::Tensor sd = torch::tensor(norm.std, torch::kDouble).view(shape).to(torch::kFloat);
  Dataset out = data;
  out.images = (data.images - mean) / sd;
  return out;
}

}  // namespace tl
