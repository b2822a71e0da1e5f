#include "data/label_mismatch.h"

#include "data/seeded_generator.h"

#include <torch/torch.h>

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tl {

namespace {

std::invalid_argument error(const std::string& what) {
  return std::invalid_argument("apply_label_mismatch: " + what);
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_class(int64_t c, int64_t num_classes, const std::string& where) {
  if (c < 0 || c >= num_classes) {
    throw error(where + " names class " + std::to_string(c) + ": expected 0 to " +
                std::to_string(num_classes - 1));
  }
}

std::string pair_text(const std::pair<int64_t, int64_t>& p) {
  return "swap (" + std::to_string(p.first) + ", " + std::to_string(p.second) + ")";
}

std::string group_text(const std::vector<int64_t>& g) {
  std::string s = "merge {";
  for (size_t i = 0; i < g.size(); ++i) s += (i ? ", " : "") + std::to_string(g[i]);
  return s + "}";
}

void check_dials(const LabelMismatch& m) {
  if (!(m.imbalance > 0.0 && m.imbalance <= 1.0)) {
    throw error("imbalance must be in (0, 1], got " + num(m.imbalance));
  }
  if (!(m.label_noise >= 0.0 && m.label_noise < 1.0)) {
    throw error("label_noise must be in [0, 1), got " + num(m.label_noise));
  }
}

void check_swaps(const LabelMismatch& m, int64_t k) {
  for (const auto& p : m.swaps) {
    check_class(p.first, k, pair_text(p));
    check_class(p.second, k, pair_text(p));
    if (p.first == p.second) throw error(pair_text(p) + " exchanges a class with itself");
  }
}

void check_merges(const LabelMismatch& m, int64_t k) {
  std::set<int64_t> used;
  for (const auto& g : m.merges) {
    if (g.size() < 2) throw error(group_text(g) + " needs at least two classes");
    for (int64_t c : g) {
      check_class(c, k, group_text(g));
      if (!used.insert(c).second) {
        throw error(group_text(g) + ": class " + std::to_string(c) + " is already merged");
      }
    }
  }
}

/// Maps labels through a lookup table old → new.
torch::Tensor relabel(const torch::Tensor& labels, const std::vector<int64_t>& table) {
  return torch::tensor(table, torch::kLong).index_select(0, labels);
}

Dataset apply_swaps(const Dataset& data, const LabelMismatch& m) {
  if (m.swaps.empty()) return data;
  std::vector<int64_t> table(static_cast<size_t>(data.num_classes()));
  for (size_t i = 0; i < table.size(); ++i) table[i] = static_cast<int64_t>(i);
  for (const auto& [a, b] : m.swaps) {
    for (int64_t& t : table) t = t == a ? b : (t == b ? a : t);
  }
  Dataset out = data;
  out.labels = relabel(data.labels, table);
  return out;
}

Dataset apply_merges(const Dataset& data, const LabelMismatch& m) {
  if (m.merges.empty()) return data;
  const auto k = static_cast<size_t>(data.num_classes());
  std::vector<int64_t> representative(k);
  std::vector<std::string> names = data.class_names;
  for (size_t c = 0; c < k; ++c) representative[c] = static_cast<int64_t>(c);
  for (const auto& g : m.merges) {
    std::string merged = data.class_names[static_cast<size_t>(g[0])];
    for (size_t i = 1; i < g.size(); ++i) {
      representative[static_cast<size_t>(g[i])] = g[0];
      merged += "+" + data.class_names[static_cast<size_t>(g[i])];
    }
    names[static_cast<size_t>(g[0])] = merged;
  }
  // Surviving classes keep their order; absorbed ones drop out of the numbering.
  std::vector<int64_t> new_index(k, -1);
  Dataset out;
  for (size_t c = 0; c < k; ++c) {
    if (representative[c] != static_cast<int64_t>(c)) continue;
    new_index[c] = static_cast<int64_t>(out.class_names.size());
    out.class_names.push_back(names[c]);
  }
  std::vector<int64_t> table(k);
  for (size_t c = 0; c < k; ++c) table[c] = new_index[static_cast<size_t>(representative[c])];
  out.images = data.images;
  out.labels = relabel(data.labels, table);
  return out;
}

Dataset apply_imbalance(const Dataset& data, double imbalance, at::Generator& gen) {
  const int64_t k = data.num_classes();
  if (imbalance == 1.0 || k < 2) return data;
  std::vector<torch::Tensor> kept;
  for (int64_t c = 0; c < k; ++c) {
    const torch::Tensor idx = torch::nonzero(data.labels == c).squeeze(1);
    const int64_t n = idx.size(0);
    const double fraction = std::pow(imbalance, static_cast<double>(c) / static_cast<double>(k - 1));
    int64_t keep = std::llround(fraction * static_cast<double>(n));
    if (n > 0 && keep < 1) keep = 1;  // a class never disappears entirely
    const torch::Tensor order = torch::randperm(n, gen, torch::kLong).narrow(0, 0, keep);
    kept.push_back(idx.index_select(0, order));
  }
  return data.subset(std::get<0>(torch::sort(torch::cat(kept))));
}

Dataset apply_noise(const Dataset& data, double rate, at::Generator& gen) {
  const int64_t k = data.num_classes();
  if (rate == 0.0 || data.size() == 0) return data;
  if (k < 2) throw error("label_noise needs at least two classes, the dataset has " + std::to_string(k));
  const int64_t n = data.size();
  const auto m = static_cast<int64_t>(std::llround(rate * static_cast<double>(n)));
  const torch::Tensor which = torch::randperm(n, gen, torch::kLong).narrow(0, 0, m);
  // Adding 1..K-1 modulo K gives a uniformly drawn class that always differs.
  const torch::Tensor offset = torch::randint(1, k, {m}, gen, torch::kLong);
  Dataset out = data;
  out.labels = data.labels.clone();
  out.labels.index_put_({which}, (data.labels.index_select(0, which) + offset).remainder(k));
  return out;
}

}  // namespace

Dataset apply_label_mismatch(const Dataset& data, const LabelMismatch& mismatch) {
  check_dials(mismatch);
  check_swaps(mismatch, data.num_classes());
  check_merges(mismatch, data.num_classes());
  at::Generator gen = seeded_generator(mismatch.seed, 200);
  Dataset out = apply_swaps(data, mismatch);
  out = apply_merges(out, mismatch);
  out = apply_imbalance(out, mismatch.imbalance, gen);
  return apply_noise(out, mismatch.label_noise, gen);
}

}  // namespace tl
