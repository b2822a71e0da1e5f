#include "analysis/tsne.h"

#include "analysis/analysis_control.h"
#include "data/seeded_generator.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace tl {
namespace {

constexpr int kBisectionSteps = 100;
constexpr double kEntropyTolerance = 1e-5;
constexpr double kMinGain = 0.01;
constexpr int64_t kProgressEvery = 50;
constexpr uint64_t kInitStream = 301;  // separates the start from other draws of the same seed

/// Symmetric affinities in compressed rows: row i's neighbours j and p_ij.
struct SparseAffinities {
  std::vector<int64_t> row_start;  ///< N + 1 offsets
  std::vector<int64_t> column;
  std::vector<float> value;
};

constexpr int64_t kDistanceRows = 256;  // rows of the distance matrix held at once

/// Each row's `k` nearest other rows: squared distances and indices [N, k],
/// nearest first, computed a block of rows at a time so that memory stays
/// O(N·k) rather than O(N²).
std::pair<torch::Tensor, torch::Tensor> nearest_neighbours(const torch::Tensor& x, int64_t k) {
  const int64_t n = x.size(0);
  const auto norms = x.pow(2).sum(1);
  std::vector<torch::Tensor> distances, indices;
  for (int64_t start = 0; start < n; start += kDistanceRows) {
    const int64_t rows = std::min(kDistanceRows, n - start);
    auto d = (norms.slice(0, start, start + rows).unsqueeze(1) + norms.unsqueeze(0) -
              2.0 * x.slice(0, start, start + rows).mm(x.t()))
                 .clamp_min_(0.0);
    d.narrow(1, start, rows).diagonal().fill_(std::numeric_limits<double>::infinity());
    auto [values, nearest] = d.topk(k, 1, /*largest=*/false, /*sorted=*/true);
    distances.push_back(values);
    indices.push_back(nearest);
  }
  return {torch::cat(distances), torch::cat(indices)};
}

// Per row, the precision β with entropy H(P_i) = log(perplexity), all rows
// at once. Distances are shifted by each row's nearest, which leaves P_i and H
// unchanged and keeps exp() from underflowing.
torch::Tensor conditional_affinities(const torch::Tensor& distances, double perplexity) {
  const auto d = distances - std::get<0>(distances.min(1, /*keepdim=*/true));
  const int64_t n = d.size(0);
  const double target = std::log(perplexity);
  auto beta = torch::ones({n, 1}, torch::kDouble);
  auto lo = torch::zeros({n, 1}, torch::kDouble);
  auto hi = torch::full({n, 1}, std::numeric_limits<double>::infinity(), torch::kDouble);
  torch::Tensor p;
  for (int step = 0; step < kBisectionSteps; ++step) {
    p = torch::exp(-d * beta);
    const auto sum = p.sum(1, /*keepdim=*/true).clamp_min(1e-300);
    const auto entropy = sum.log() + beta * (d * p).sum(1, /*keepdim=*/true) / sum;
    const auto diff = entropy - target;
    if (diff.abs().max().item<double>() < kEntropyTolerance) break;
    const auto too_flat = diff > 0;  // entropy too high: sharpen (raise β)
    lo = torch::where(too_flat, beta, lo);
    hi = torch::where(too_flat, hi, beta);
    beta = torch::where(too_flat, torch::where(torch::isinf(hi), beta * 2.0, (beta + hi) / 2.0), (beta + lo) / 2.0);
  }
  p = torch::exp(-d * beta);
  return p / p.sum(1, /*keepdim=*/true).clamp_min(1e-300);
}

// P = (P_cond + P_condᵀ) / 2N over the neighbour pairs, in compressed rows:
// each pair (i, j) sums p_j|i and p_i|j (two numbers, so the order of
// addition cannot change the result).
SparseAffinities joint_affinities(const torch::Tensor& x, double perplexity, int64_t neighbours) {
  const int64_t n = x.size(0);
  const auto [distances, indices] = nearest_neighbours(x, neighbours);
  const auto conditional = conditional_affinities(distances, perplexity).flatten();
  const auto rows = torch::arange(n, torch::kLong).repeat_interleave(neighbours);
  const auto cols = indices.flatten();
  const auto keys = torch::cat({rows * n + cols, cols * n + rows});
  const auto values = torch::cat({conditional, conditional});
  const auto [sorted_keys, order] = keys.sort();
  const auto [unique_keys, inverse, counts] = torch::unique_consecutive(sorted_keys, /*return_inverse=*/true);
  auto joint = torch::zeros({unique_keys.size(0)}, torch::kDouble).index_add_(0, inverse, values.index_select(0, order));
  joint = (joint / joint.sum()).to(torch::kFloat).contiguous();
  const auto joint_rows = (unique_keys.div(n, "floor")).contiguous();
  const auto joint_cols = unique_keys.remainder(n).contiguous();
  SparseAffinities a;
  a.row_start.assign(n + 1, 0);
  const auto* r = joint_rows.data_ptr<int64_t>();
  for (int64_t e = 0; e < joint_rows.size(0); ++e) a.row_start[r[e] + 1] += 1;
  for (int64_t i = 0; i < n; ++i) a.row_start[i + 1] += a.row_start[i];
  a.column.assign(joint_cols.data_ptr<int64_t>(), joint_cols.data_ptr<int64_t>() + joint_cols.size(0));
  a.value.assign(joint.data_ptr<float>(), joint.data_ptr<float>() + joint.size(0));
  return a;
}

/// One row's share of the gradient: Σ_j q̃_ij over all j ≠ i (q̃ = 1 / (1 + d²)),
/// the repulsion Σ_j q̃_ij² (y_i − y_j) and the attraction Σ_j p_ij q̃_ij (y_i − y_j).
struct RowForces {
  double z = 0.0;
  double rep_x = 0.0, rep_y = 0.0;
  double attr_x = 0.0, attr_y = 0.0;
};

// The repulsion over all points, in kLanes independent partial sums that the
// compiler turns into vector registers (a plain reduction would stay scalar
// without -ffast-math). The lanes are added in a fixed order, so a row's
// result does not depend on which thread computes it.
constexpr int64_t kLanes = 16;

// Built for AVX2 as well as the baseline (x86-64 has SSE2 only, 4 floats a
// vector), chosen at load time: the lane loop above is nearly all of t-SNE's time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
RowForces row_forces(int64_t i, const float* ys_x, const float* ys_y, int64_t n, const SparseAffinities& p) {
  const float xi = ys_x[i];
  const float yi = ys_y[i];
  float z[kLanes] = {}, rx[kLanes] = {}, ry[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) {
      const float dx = xi - ys_x[j + l];
      const float dy = yi - ys_y[j + l];
      const float q = 1.0f / (1.0f + dx * dx + dy * dy);
      const float q2 = q * q;
      z[l] += q;
      rx[l] += q2 * dx;
      ry[l] += q2 * dy;
    }
  }
  RowForces f;
  for (; j < n; ++j) {
    const float dx = xi - ys_x[j];
    const float dy = yi - ys_y[j];
    const float q = 1.0f / (1.0f + dx * dx + dy * dy);
    f.z += q;
    f.rep_x += q * q * dx;
    f.rep_y += q * q * dy;
  }
  for (int64_t l = 0; l < kLanes; ++l) {
    f.z += z[l];
    f.rep_x += rx[l];
    f.rep_y += ry[l];
  }
  f.z -= 1.0;  // j = i contributed q = 1 (and no force)
  for (int64_t e = p.row_start[i]; e < p.row_start[i + 1]; ++e) {
    const int64_t k = p.column[e];
    const double dx = static_cast<double>(xi) - ys_x[k];
    const double dy = static_cast<double>(yi) - ys_y[k];
    const double pq = p.value[e] / (1.0 + dx * dx + dy * dy);
    f.attr_x += pq * dx;
    f.attr_y += pq * dy;
  }
  return f;
}

/// The KL gradient 4 (exaggeration · Σ p q̃ (y_i − y_j) − Σ q̃² (y_i − y_j) / Z)
/// into `grad` [N × 2], with Z = Σ_{i≠j} q̃_ij.
void gradient(const std::vector<double>& y, const SparseAffinities& p, double exaggeration, std::vector<RowForces>& rows,
              std::vector<float>& ys_x, std::vector<float>& ys_y, std::vector<double>& grad) {
  const auto n = static_cast<int64_t>(ys_x.size());
  for (int64_t i = 0; i < n; ++i) {
    ys_x[i] = static_cast<float>(y[2 * i]);
    ys_y[i] = static_cast<float>(y[2 * i + 1]);
  }
  at::parallel_for(0, n, 32, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) rows[i] = row_forces(i, ys_x.data(), ys_y.data(), n, p);
  });
  double z = 0.0;
  for (const auto& r : rows) z += r.z;  // in row order: independent of the thread split
  for (int64_t i = 0; i < n; ++i) {
    grad[2 * i] = 4.0 * (exaggeration * rows[i].attr_x - rows[i].rep_x / z);
    grad[2 * i + 1] = 4.0 * (exaggeration * rows[i].attr_y - rows[i].rep_y / z);
  }
}

double kl_divergence(const std::vector<RowForces>& rows, const std::vector<double>& y, const SparseAffinities& p) {
  double z = 0.0;
  for (const auto& r : rows) z += r.z;
  double kl = 0.0;
  for (size_t i = 0; i + 1 < p.row_start.size(); ++i) {
    for (int64_t e = p.row_start[i]; e < p.row_start[i + 1]; ++e) {
      const auto k = static_cast<size_t>(p.column[e]);
      const double dx = y[2 * i] - y[2 * k];
      const double dy = y[2 * i + 1] - y[2 * k + 1];
      const double q = 1.0 / (1.0 + dx * dx + dy * dy) / z;
      const double pij = p.value[e];
      if (pij > 0) kl += pij * std::log(pij / std::max(q, 1e-300));
    }
  }
  return kl;
}

void centre(std::vector<double>& y) {
  const auto n = static_cast<double>(y.size() / 2);
  double mx = 0.0, my = 0.0;
  for (size_t i = 0; i < y.size(); i += 2) {
    mx += y[i];
    my += y[i + 1];
  }
  for (size_t i = 0; i < y.size(); i += 2) {
    y[i] -= mx / n;
    y[i + 1] -= my / n;
  }
}

std::vector<double> random_start(int64_t n, uint64_t seed) {
  auto gen = seeded_generator(seed, kInitStream);
  const auto start = (torch::randn({n, 2}, gen, torch::kDouble) * 1e-4).contiguous();
  return std::vector<double>(start.data_ptr<double>(), start.data_ptr<double>() + 2 * n);
}

void check_options(const torch::Tensor& x, const TsneOptions& o) {
  if (x.dim() != 2 || x.size(0) < 2 || x.size(1) < 1) {
    throw std::invalid_argument("t-SNE: expected a matrix [N, D] with at least two rows");
  }
  if (!(o.perplexity > 0) || o.iterations < 1 || o.exaggeration_iterations < 0 || !(o.early_exaggeration > 0) ||
      o.learning_rate < 0) {
    throw std::invalid_argument(
        "t-SNE: expected perplexity > 0, iterations >= 1, exaggeration_iterations >= 0, early_exaggeration > 0 and "
        "learning_rate >= 0");
  }
}

}  // namespace

Tsne tsne(const torch::Tensor& x, const TsneOptions& o) {
  check_options(x, o);
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  Tsne result;
  result.perplexity = std::max(1.0, std::min(o.perplexity, static_cast<double>(n - 1) / 3.0));
  result.neighbours = std::min<int64_t>(n - 1, static_cast<int64_t>(3.0 * result.perplexity + 1.0));
  const SparseAffinities p = joint_affinities(x.to(torch::kDouble), result.perplexity, result.neighbours);
  throw_if_cancelled(o.cancel);

  const double learning_rate =
      o.learning_rate > 0 ? o.learning_rate : std::max(static_cast<double>(n) / o.early_exaggeration / 4.0, 50.0);
  std::vector<double> y = random_start(n, o.seed);
  std::vector<double> grad(2 * n), update(2 * n, 0.0), gains(2 * n, 1.0);
  std::vector<float> ys_x(n), ys_y(n);
  std::vector<RowForces> rows(n);
  for (int64_t it = 0; it < o.iterations; ++it) {
    throw_if_cancelled(o.cancel);
    const bool exploring = it < o.exaggeration_iterations;
    gradient(y, p, exploring ? o.early_exaggeration : 1.0, rows, ys_x, ys_y, grad);
    const double momentum = exploring ? o.initial_momentum : o.final_momentum;
    for (int64_t k = 0; k < 2 * n; ++k) {
      // Grow the step where the gradient keeps its direction, shrink it where it flips.
      gains[k] = (update[k] * grad[k] < 0.0) ? gains[k] + 0.2 : std::max(gains[k] * 0.8, kMinGain);
      update[k] = momentum * update[k] - learning_rate * gains[k] * grad[k];
      y[k] += update[k];
    }
    centre(y);
    if (o.progress && ((it + 1) % kProgressEvery == 0 || it + 1 == o.iterations)) o.progress(it + 1, o.iterations);
  }
  gradient(y, p, 1.0, rows, ys_x, ys_y, grad);  // the final Z for the divergence
  result.kl_divergence = kl_divergence(rows, y, p);
  result.embedding = torch::from_blob(y.data(), {n, 2}, torch::kDouble).to(torch::kFloat).clone();
  return result;
}

}  // namespace tl
