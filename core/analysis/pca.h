#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace tl {

/// A principal component analysis of the rows of a matrix.
struct Pca {
  torch::Tensor mean;        ///< [D]: what was subtracted
  torch::Tensor components;  ///< [k, D]: unit principal axes, largest variance first
  torch::Tensor projection;  ///< [N, k]: the centred rows on the axes
  std::vector<double> explained_variance_ratio;  ///< per component, of the total variance
};

/// The first `components` principal components of `x` [N, D] (k = min of
/// `components`, N and D). Equal to centring and torch::linalg_svd
/// (projection = U·S, axes = rows of Vᴴ) with one sign convention: each
/// axis's largest-magnitude entry is positive (the first one on a tie), so the
/// same data always gives the same picture. Computed in double precision from
/// the eigenvectors of the smaller of XᵀX and XXᵀ (a 2,000 × 2,048 SVD takes
/// about ten times as long here); returned in x's dtype. Throws
/// std::invalid_argument for anything but a 2-D matrix with at least one row
/// and column, or components < 1.
Pca pca(const torch::Tensor& x, int64_t components = 2);

}  // namespace tl
