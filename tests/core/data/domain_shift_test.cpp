#include "data/domain_shift.h"

#include "data_test_helpers.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <tuple>

namespace tl {
namespace {

using test::error_message;
using test::make_random_dataset;

/// Image shapes every shift must handle: grey square, colour, non-square, tiny.
const std::vector<std::tuple<int64_t, int64_t, int64_t>>& shapes() {
  static const std::vector<std::tuple<int64_t, int64_t, int64_t>> s = {
      {1, 28, 28}, {3, 16, 16}, {3, 12, 20}, {1, 3, 2}};
  return s;
}

const std::vector<ShiftKind> kRandomKinds = {ShiftKind::Noise, ShiftKind::Texture, ShiftKind::Permutation};

/// A dark background with a bright 3×3 square near the centre of every image.
Dataset make_object_dataset(int64_t n, int64_t channels, int64_t size) {
  Dataset d;
  d.images = torch::zeros({n, channels, size, size});
  const int64_t c = size / 2;
  d.images.narrow(2, c - 1, 3).narrow(3, c - 1, 3).fill_(1.0f);
  d.labels = torch::zeros({n}, torch::kLong);
  d.class_names = {"object"};
  return d;
}

/// Mean squared difference of horizontally and vertically neighbouring pixels.
double high_frequency_energy(const torch::Tensor& x) {
  const auto dx = x.narrow(3, 1, x.size(3) - 1) - x.narrow(3, 0, x.size(3) - 1);
  const auto dy = x.narrow(2, 1, x.size(2) - 1) - x.narrow(2, 0, x.size(2) - 1);
  return dx.pow(2).mean().item<double>() + dy.pow(2).mean().item<double>();
}

torch::Tensor shifted(const Dataset& d, ShiftKind kind, double s, uint64_t seed = 1) {
  return apply_shift(d, DomainShift{kind, s, seed}).images;
}

TEST(DomainShift, NamesRoundTripInDisplayOrder) {
  std::vector<std::string> names;
  for (ShiftKind k : all_shift_kinds()) {
    names.push_back(shift_kind_name(k));
    EXPECT_EQ(shift_kind_from_name(shift_kind_name(k)), k);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"none", "rotation", "inversion", "noise", "blur",
                                             "texture", "permutation"}));
}

TEST(DomainShift, UnknownNameListsTheAcceptedOnes) {
  EXPECT_EQ(error_message([] { shift_kind_from_name("swirl"); }),
            "unknown domain shift 'swirl': expected one of none, rotation, inversion, noise, "
            "blur, texture, permutation");
}

TEST(DomainShift, StrengthOutsideZeroOneIsAnError) {
  const Dataset d = make_random_dataset(2, 1, 4, 4);
  EXPECT_EQ(error_message([&] { apply_shift(d, {ShiftKind::Noise, 1.5, 0}); }),
            "apply_shift: noise strength must be in [0, 1], got 1.5");
  EXPECT_EQ(error_message([&] { apply_shift(d, {ShiftKind::Rotation, -0.1, 0}); }),
            "apply_shift: rotation strength must be in [0, 1], got -0.1");
}

TEST(DomainShift, ImagesMustBeFourDimensional) {
  Dataset d = make_random_dataset(2, 1, 4, 4);
  d.images = d.images.view({2, 16});
  EXPECT_EQ(error_message([&] { apply_shift(d, {ShiftKind::Blur, 0.5, 0}); }),
            "apply_shift: expected images as a float tensor [N, C, H, W]");
}

TEST(DomainShift, StrengthZeroIsTheIdentity) {
  for (const auto& [c, h, w] : shapes()) {
    const Dataset d = make_random_dataset(3, c, h, w);
    for (ShiftKind kind : all_shift_kinds()) {
      EXPECT_TRUE(torch::equal(shifted(d, kind, 0.0), d.images)) << shift_kind_name(kind);
    }
  }
}

TEST(DomainShift, NoneIgnoresTheStrength) {
  const Dataset d = make_random_dataset(3, 1, 5, 5);
  EXPECT_TRUE(torch::equal(shifted(d, ShiftKind::None, 0.8), d.images));
}

TEST(DomainShift, EveryKindKeepsShapeLabelsAndInput) {
  for (const auto& [c, h, w] : shapes()) {
    const Dataset d = make_random_dataset(3, c, h, w);
    const torch::Tensor before = d.images.clone();
    for (ShiftKind kind : all_shift_kinds()) {
      const Dataset out = apply_shift(d, {kind, 0.7, 3});
      EXPECT_EQ(out.images.sizes(), d.images.sizes()) << shift_kind_name(kind);
      EXPECT_EQ(out.images.scalar_type(), torch::kFloat) << shift_kind_name(kind);
      EXPECT_TRUE(torch::equal(out.labels, d.labels));
      EXPECT_EQ(out.class_names, d.class_names);
      EXPECT_GE(out.images.min().item<float>(), -1e-6f) << shift_kind_name(kind);
      EXPECT_LE(out.images.max().item<float>(), 1.0f + 1e-6f) << shift_kind_name(kind);
      EXPECT_TRUE(torch::equal(d.images, before)) << shift_kind_name(kind);
    }
  }
}

TEST(DomainShift, EveryKindIsDeterministicForASeedWhateverTheGlobalSeed) {
  const Dataset d = make_random_dataset(4, 3, 9, 11);
  for (ShiftKind kind : all_shift_kinds()) {
    torch::manual_seed(1);
    const torch::Tensor a = shifted(d, kind, 0.6, 42);
    torch::manual_seed(2);
    const torch::Tensor b = shifted(d, kind, 0.6, 42);
    EXPECT_TRUE(torch::equal(a, b)) << shift_kind_name(kind);
  }
}

TEST(DomainShift, RandomKindsDifferAcrossSeeds) {
  const Dataset d = make_random_dataset(4, 1, 10, 10);
  for (ShiftKind kind : kRandomKinds) {
    EXPECT_FALSE(torch::equal(shifted(d, kind, 0.6, 1), shifted(d, kind, 0.6, 2))) << shift_kind_name(kind);
  }
}

TEST(DomainShift, InversionAtOneIsTheNegative) {
  for (const auto& [c, h, w] : shapes()) {
    const Dataset d = make_random_dataset(3, c, h, w);
    EXPECT_TRUE(torch::equal(shifted(d, ShiftKind::Inversion, 1.0), 1.0 - d.images));
  }
}

TEST(DomainShift, InversionAtHalfIsFlatGrey) {
  const Dataset d = make_random_dataset(3, 3, 6, 6);
  EXPECT_TRUE(torch::allclose(shifted(d, ShiftKind::Inversion, 0.5), torch::full({3, 3, 6, 6}, 0.5f)));
}

TEST(DomainShift, NoiseStandardDeviationMatchesTheStrength) {
  Dataset d = make_random_dataset(20, 3, 16, 16);
  d.images.fill_(0.5f);
  for (double s : {0.05, 0.1}) {
    const torch::Tensor diff = shifted(d, ShiftKind::Noise, s) - d.images;
    EXPECT_NEAR(diff.std().item<double>(), s, 0.05 * s) << s;
    EXPECT_NEAR(diff.mean().item<double>(), 0.0, 0.05 * s) << s;
  }
}

TEST(DomainShift, NoiseIsClampedToTheUnitRange) {
  const Dataset d = make_random_dataset(4, 1, 8, 8);
  const torch::Tensor x = shifted(d, ShiftKind::Noise, 1.0);
  EXPECT_EQ(x.min().item<float>(), 0.0f);
  EXPECT_EQ(x.max().item<float>(), 1.0f);
}

TEST(DomainShift, BlurReducesHighFrequencyEnergy) {
  Dataset d = make_random_dataset(2, 3, 16, 12);
  const double before = high_frequency_energy(d.images);
  const double weak = high_frequency_energy(shifted(d, ShiftKind::Blur, 0.2));
  const double strong = high_frequency_energy(shifted(d, ShiftKind::Blur, 1.0));
  EXPECT_LT(weak, 0.5 * before);
  EXPECT_LT(strong, 0.01 * before);
  EXPECT_LT(strong, weak);
}

TEST(DomainShift, BlurKeepsFlatImagesFlatAndTheMeanClose) {
  Dataset flat = make_random_dataset(2, 1, 7, 9);
  flat.images.fill_(0.3f);
  EXPECT_TRUE(torch::allclose(shifted(flat, ShiftKind::Blur, 1.0), flat.images, 0.0, 1e-6));
  const Dataset d = make_object_dataset(2, 1, 15);
  EXPECT_NEAR(shifted(d, ShiftKind::Blur, 0.2).sum().item<double>(), d.images.sum().item<double>(), 1e-3);
}

TEST(DomainShift, RotationBy180DegreesFlipsBothAxes) {
  for (const auto& [c, h, w] : shapes()) {
    const Dataset d = make_random_dataset(3, c, h, w);
    const torch::Tensor rotated = shifted(d, ShiftKind::Rotation, 1.0);
    EXPECT_TRUE(torch::allclose(rotated, d.images.flip({2, 3}), 0.0, 1e-5)) << h << "x" << w;
  }
}

TEST(DomainShift, RotationBy90DegreesOnASquareIsAQuarterTurn) {
  const Dataset d = make_random_dataset(2, 3, 9, 9);
  const torch::Tensor rotated = shifted(d, ShiftKind::Rotation, 0.5);
  const bool left = torch::allclose(rotated, torch::rot90(d.images, 1, {2, 3}), 0.0, 1e-5);
  const bool right = torch::allclose(rotated, torch::rot90(d.images, -1, {2, 3}), 0.0, 1e-5);
  EXPECT_TRUE(left || right);
}

TEST(DomainShift, RotationOfANonSquareImageKeepsLengths) {
  Dataset d = make_random_dataset(1, 1, 21, 41);
  d.images.zero_();
  d.images[0][0][10].narrow(0, 15, 11).fill_(1.0f);  // horizontal bar, 11 px, centred
  const torch::Tensor rotated = shifted(d, ShiftKind::Rotation, 0.5)[0][0];
  torch::Tensor expected = torch::zeros({21, 41});
  expected.select(1, 20).narrow(0, 5, 11).fill_(1.0f);  // vertical bar, 11 px, centred
  EXPECT_TRUE(torch::allclose(rotated, expected, 0.0, 1e-5));
}

TEST(DomainShift, RotationFillsUncoveredCornersWithZero) {
  Dataset d = make_random_dataset(1, 1, 20, 20);
  d.images.fill_(1.0f);
  const torch::Tensor rotated = shifted(d, ShiftKind::Rotation, 0.25);  // 45 degrees
  EXPECT_EQ(rotated[0][0][0][0].item<float>(), 0.0f);
  EXPECT_NEAR(rotated[0][0][10][10].item<float>(), 1.0f, 1e-5);
}

TEST(DomainShift, PermutationAtOneMovesPixelsTheSameWayInEveryImage) {
  for (const auto& [c, h, w] : shapes()) {
    const int64_t n = 4, pixels = h * w;
    Dataset d = make_random_dataset(n, c, h, w);
    // Unique values, so the permutation can be read off each image.
    d.images = torch::arange(n * c * pixels, torch::kFloat).view({n, c, h, w}) / float(n * c * pixels);
    const torch::Tensor out = shifted(d, ShiftKind::Permutation, 1.0).view({n, c, pixels});
    const torch::Tensor in = d.images.view({n, c, pixels});
    const torch::Tensor sorted_out = std::get<0>(out.sort(2));
    EXPECT_TRUE(torch::equal(sorted_out, in));  // each image's values, only moved
    const torch::Tensor source = out[0][0].mul(float(n * c * pixels)).round().to(torch::kLong);
    EXPECT_TRUE(torch::equal(out, in.index_select(2, source)));  // one map for all
    if (pixels >= 2) {
      EXPECT_EQ((source != torch::arange(pixels)).sum().item<int64_t>(), pixels);
    }
  }
}

TEST(DomainShift, PermutationStrengthIsTheFractionOfMovedPixels) {
  Dataset d = make_random_dataset(2, 1, 10, 10);
  const torch::Tensor out = shifted(d, ShiftKind::Permutation, 0.25);
  const torch::Tensor moved = (out != d.images).any(0).any(0);
  EXPECT_EQ(moved.sum().item<int64_t>(), 25);
}

TEST(DomainShift, TextureRaisesTheBackgroundButKeepsTheObject) {
  for (int64_t c : {1, 3}) {
    const Dataset d = make_object_dataset(6, c, 28);
    const torch::Tensor out = shifted(d, ShiftKind::Texture, 1.0);
    const torch::Tensor background = d.images == 0;
    EXPECT_GT(out.masked_select(background).mean().item<double>(), 0.2);
    EXPECT_TRUE(torch::equal(out.masked_select(d.images == 1), d.images.masked_select(d.images == 1)));
    EXPECT_TRUE((out >= d.images).all().item<bool>());
    EXPECT_LE(out.max().item<float>(), 1.0f);
  }
}

TEST(DomainShift, TextureIsSmoothAndScalesWithStrength) {
  const Dataset d = make_object_dataset(6, 1, 28);
  const torch::Tensor strong = shifted(d, ShiftKind::Texture, 1.0);
  const torch::Tensor weak = shifted(d, ShiftKind::Texture, 0.5);
  EXPECT_LE(weak.max().item<float>(), 1.0f);
  EXPECT_LT(weak.mean().item<double>(), strong.mean().item<double>());
  const Dataset noise_only = make_random_dataset(6, 1, 28, 28);
  EXPECT_LT(high_frequency_energy(strong), 0.2 * high_frequency_energy(noise_only.images));
}

TEST(DomainShift, TextureDiffersBetweenImages) {
  const Dataset d = make_object_dataset(2, 1, 28);
  const torch::Tensor out = shifted(d, ShiftKind::Texture, 1.0);
  EXPECT_FALSE(torch::equal(out[0], out[1]));
}

TEST(DomainShift, EmptyDatasetStaysEmpty) {
  const Dataset d = make_random_dataset(0, 1, 5, 5);
  for (ShiftKind kind : all_shift_kinds()) {
    EXPECT_EQ(apply_shift(d, {kind, 0.5, 1}).size(), 0);
  }
}

}  // namespace
}  // namespace tl
