#include "data/domain_shift.h"

#include "data/seeded_generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tl {

namespace F = torch::nn::functional;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Rotates every image by `degrees` about its centre (bilinear, zero fill).
/// The angle is applied in pixel space, so non-square images are not sheared.
torch::Tensor rotate(const torch::Tensor& images, double degrees) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const double a = degrees * kPi / 180.0;
  const double cs = std::cos(a), sn = std::sin(a);
  const double hw = static_cast<double>(h) / static_cast<double>(w);
  const torch::Tensor theta =
      torch::tensor({cs, -sn * hw, 0.0, sn / hw, cs, 0.0}, torch::kDouble).view({1, 2, 3}).to(images.dtype());
  const torch::Tensor grid = F::affine_grid(theta, {1, 1, h, w}, false);
  // One grid serves every image: fold the batch into the channels.
  const torch::Tensor folded = images.reshape({1, n * c, h, w});
  const auto opts = F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false);
  return F::grid_sample(folded, grid, opts).reshape({n, c, h, w});
}

torch::Tensor invert(const torch::Tensor& images, double s) {
  return images * (1.0 - s) + (1.0 - images) * s;
}

torch::Tensor add_noise(const torch::Tensor& images, double s, at::Generator& gen) {
  const torch::Tensor noise = torch::randn(images.sizes(), gen, images.options());
  return (images + noise * s).clamp_(0.0, 1.0);
}

/// Normalised 1-D Gaussian kernel with radius ceil(3 sigma).
torch::Tensor gaussian_kernel(double sigma) {
  const auto radius = static_cast<int64_t>(std::ceil(3.0 * sigma));
  const torch::Tensor x = torch::arange(-radius, radius + 1, torch::kDouble);
  const torch::Tensor k = torch::exp(-(x * x) / (2.0 * sigma * sigma));
  return (k / k.sum()).to(torch::kFloat);
}

/// Separable Gaussian blur per channel; edges are replicated so flat images stay flat.
torch::Tensor blur(const torch::Tensor& images, double sigma) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const torch::Tensor k = gaussian_kernel(sigma).to(images.dtype());
  const int64_t r = (k.size(0) - 1) / 2;
  torch::Tensor x = images.reshape({n * c, 1, h, w});
  const auto pad = F::PadFuncOptions({r, r, r, r}).mode(torch::kReplicate);
  x = F::pad(x, pad);
  x = F::conv2d(x, k.view({1, 1, 1, -1}));
  x = F::conv2d(x, k.view({1, 1, -1, 1}));
  return x.reshape({n, c, h, w});
}

/// Uniform noise on a coarse grid, upsampled bilinearly to [N, C, H, W]; stays in [0, 1].
torch::Tensor smooth_noise(const torch::Tensor& images, int64_t cell, at::Generator& gen) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t gh = std::max<int64_t>(2, (h + cell - 1) / cell);
  const int64_t gw = std::max<int64_t>(2, (w + cell - 1) / cell);
  const torch::Tensor coarse = torch::rand({n, c, gh, gw}, gen, images.options());
  const auto opts = F::InterpolateFuncOptions()
                        .size(std::vector<int64_t>{h, w})
                        .mode(torch::kBilinear)
                        .align_corners(false);
  return F::interpolate(coarse, opts);
}

/// A smooth random texture per image: a coarse and a finer octave of value noise.
torch::Tensor texture(const torch::Tensor& images, at::Generator& gen) {
  const int64_t side = std::min(images.size(2), images.size(3));
  const int64_t coarse_cell = std::max<int64_t>(2, side / 4);
  const int64_t fine_cell = std::max<int64_t>(1, side / 10);
  const torch::Tensor coarse = smooth_noise(images, coarse_cell, gen);
  const torch::Tensor fine = smooth_noise(images, fine_cell, gen);
  return coarse * 0.65 + fine * 0.35;
}

torch::Tensor add_texture(const torch::Tensor& images, double s, at::Generator& gen) {
  return torch::max(images, texture(images, gen) * s);
}

/// Where each pixel position takes its value from: a random cycle through
/// round(s · H · W) chosen positions, the identity elsewhere.
torch::Tensor permutation_source(int64_t pixels, double s, at::Generator& gen) {
  const auto m = static_cast<int64_t>(std::llround(s * static_cast<double>(pixels)));
  torch::Tensor source = torch::arange(pixels, torch::kLong);
  if (m < 2) return source;
  const torch::Tensor chosen = torch::randperm(pixels, gen, torch::kLong).narrow(0, 0, m);
  source.index_put_({chosen}, chosen.roll(1));
  return source;
}

torch::Tensor permute_pixels(const torch::Tensor& images, double s, at::Generator& gen) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const torch::Tensor source = permutation_source(h * w, s, gen);
  return images.reshape({n, c, h * w}).index_select(2, source).reshape({n, c, h, w});
}

void check_shift(const Dataset& data, const DomainShift& shift) {
  if (!(shift.strength >= 0.0 && shift.strength <= 1.0)) {
    std::ostringstream msg;
    msg << "apply_shift: " << shift_kind_name(shift.kind) << " strength must be in [0, 1], got "
        << shift.strength;
    throw std::invalid_argument(msg.str());
  }
  if (!data.images.defined() || data.images.dim() != 4 || !data.images.is_floating_point()) {
    throw std::invalid_argument("apply_shift: expected images as a float tensor [N, C, H, W]");
  }
}

torch::Tensor shifted_images(const torch::Tensor& images, const DomainShift& shift) {
  const double s = shift.strength;
  at::Generator gen = seeded_generator(shift.seed, 100 + static_cast<uint64_t>(shift.kind));
  switch (shift.kind) {
    case ShiftKind::None: return images;
    case ShiftKind::Rotation: return rotate(images, s * 180.0);
    case ShiftKind::Inversion: return invert(images, s);
    case ShiftKind::Noise: return add_noise(images, s, gen);
    case ShiftKind::Blur: return blur(images, 3.0 * s);
    case ShiftKind::Texture: return add_texture(images, s, gen);
    case ShiftKind::Permutation: return permute_pixels(images, s, gen);
  }
  throw std::invalid_argument("apply_shift: unknown shift kind");
}

}  // namespace

const std::vector<ShiftKind>& all_shift_kinds() {
  static const std::vector<ShiftKind> kinds = {ShiftKind::None,    ShiftKind::Rotation,
                                               ShiftKind::Inversion, ShiftKind::Noise,
                                               ShiftKind::Blur,    ShiftKind::Texture,
                                               ShiftKind::Permutation};
  return kinds;
}

std::string shift_kind_name(ShiftKind kind) {
  switch (kind) {
    case ShiftKind::None: return "none";
    case ShiftKind::Rotation: return "rotation";
    case ShiftKind::Inversion: return "inversion";
    case ShiftKind::Noise: return "noise";
    case ShiftKind::Blur: return "blur";
    case ShiftKind::Texture: return "texture";
    case ShiftKind::Permutation: return "permutation";
  }
  return "unknown";
}

ShiftKind shift_kind_from_name(const std::string& name) {
  std::string accepted;
  for (ShiftKind kind : all_shift_kinds()) {
    if (shift_kind_name(kind) == name) return kind;
    accepted += (accepted.empty() ? "" : ", ") + shift_kind_name(kind);
  }
  throw std::invalid_argument("unknown domain shift '" + name + "': expected one of " + accepted);
}

Dataset apply_shift(const Dataset& data, const DomainShift& shift) {
  check_shift(data, shift);
  Dataset out = data;
  if (shift.kind == ShiftKind::None || shift.strength == 0.0 || data.images.numel() == 0) return out;
  out.images = shifted_images(data.images, shift);
  return out;
}

}  // namespace tl
