#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// The ways a dataset can be turned into a related domain.
enum class ShiftKind { None, Rotation, Inversion, Noise, Blur, Texture, Permutation };

/// One domain shift with its strength in [0, 1] (0 leaves images unchanged,
/// 1 is the strongest form). What the strength means per kind:
/// - Rotation: every image rotated by strength × 180 degrees (bilinear, zero fill).
/// - Inversion: x' = (1 − s)·x + s·(1 − x); s = 1 is the photographic negative.
/// - Noise: additive Gaussian noise with standard deviation s, clamped to [0, 1].
/// - Blur: Gaussian blur with sigma = 3·s pixels.
/// - Texture: a random smooth texture per image and channel behind the object
///   (two octaves of bilinearly upsampled uniform noise, values in [0, 1]),
///   x' = max(x, s·texture).
/// - Permutation: one fixed permutation (drawn from the seed) of a fraction s
///   of the pixel positions, the same for every image and channel: round(s·H·W)
///   positions are chosen and cycled among themselves, so each of them moves.
/// Every shift is deterministic for its seed.
struct DomainShift {
  ShiftKind kind = ShiftKind::None;
  double strength = 0.0;
  uint64_t seed = 0;
};

/// The kinds in display order and their config names ("none", "rotation",
/// "inversion", "noise", "blur", "texture", "permutation").
const std::vector<ShiftKind>& all_shift_kinds();
std::string shift_kind_name(ShiftKind kind);

/// Parses a config name; throws listing the accepted names otherwise.
ShiftKind shift_kind_from_name(const std::string& name);

/// Applies the shift to images in [0, 1]; labels and class names are kept.
/// Throws when the strength is outside [0, 1].
Dataset apply_shift(const Dataset& data, const DomainShift& shift);

}  // namespace tl
