#include "data/image_file.h"
#include "support/image_files.h"

#include <gtest/gtest.h>

#include <fstream>

namespace tl {
namespace {

using test::ImageDir;

TEST(ReadImage, DecodesPngBmpAndJpegByContent) {
  ImageDir dir;
  const torch::Tensor rgb = test::gradient_image(3, 6, 5);
  dir.write_png("a.png", rgb);
  dir.write_bmp("b.bmp", rgb);
  dir.write_jpeg("c.jpg", rgb);
  // A PNG under a misleading name is still a PNG.
  dir.write_png("d.jpg", rgb);

  EXPECT_TRUE(torch::equal(read_image(dir.path("a.png")), rgb));
  EXPECT_TRUE(torch::equal(read_image(dir.path("b.bmp")), rgb));
  EXPECT_TRUE(torch::equal(read_image(dir.path("d.jpg")), rgb));
  const torch::Tensor jpeg = read_image(dir.path("c.jpg"));
  ASSERT_EQ(jpeg.sizes(), rgb.sizes());
  // JPEG is lossy: close, not equal.
  EXPECT_LT((jpeg.to(torch::kFloat) - rgb.to(torch::kFloat)).abs().mean().item<double>(), 12.0);
}

TEST(ReadImage, KeepsStoredChannelsByDefault) {
  ImageDir dir;
  const torch::Tensor grey = test::gradient_image(1, 4, 4);
  dir.write_png("grey.png", grey);
  dir.write_png("rgba.png", test::gradient_image(4, 4, 4));
  dir.write_png("grey_alpha.png", test::gradient_image(2, 4, 4));
  EXPECT_TRUE(torch::equal(read_image(dir.path("grey.png")), grey));
  EXPECT_EQ(read_image(dir.path("rgba.png")).size(0), 3);
  EXPECT_EQ(read_image(dir.path("grey_alpha.png")).size(0), 1);
}

TEST(ReadImage, GreyToColourRepeatsAndColourToGreyUsesLuminance) {
  ImageDir dir;
  const torch::Tensor grey = test::gradient_image(1, 3, 3);
  dir.write_png("grey.png", grey);
  const torch::Tensor colour = read_image(dir.path("grey.png"), 3);
  ASSERT_EQ(colour.sizes(), (std::vector<int64_t>{3, 3, 3}));
  for (int64_t c = 0; c < 3; ++c) EXPECT_TRUE(torch::equal(colour[c], grey[0]));

  // Pure green is much brighter than pure blue to the eye.
  torch::Tensor green = torch::zeros({3, 2, 2}, torch::kUInt8);
  green[1].fill_(255);
  torch::Tensor blue = torch::zeros({3, 2, 2}, torch::kUInt8);
  blue[2].fill_(255);
  dir.write_png("green.png", green);
  dir.write_png("blue.png", blue);
  const int green_level = read_image(dir.path("green.png"), 1)[0][0][0].item<int>();
  const int blue_level = read_image(dir.path("blue.png"), 1)[0][0][0].item<int>();
  EXPECT_GT(green_level, 120);
  EXPECT_LT(blue_level, 40);
}

TEST(ReadImage, BadFilesThrowNamingThePathAndReason) {
  ImageDir dir;
  dir.write_text("notes.png", "this is not an image");
  dir.write_text("empty.png", "");
  dir.write_truncated_png("cut.png", test::gradient_image(3, 16, 16));
  const auto message_of = [&](const std::string& name) {
    try {
      read_image(dir.path(name));
    } catch (const ImageFileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_of("notes.png").rfind(dir.path("notes.png") + ": not a PNG, JPEG or BMP image", 0), 0u)
      << message_of("notes.png");
  EXPECT_EQ(message_of("empty.png"), dir.path("empty.png") + ": empty file");
  EXPECT_EQ(message_of("cut.png").rfind(dir.path("cut.png") + ": cannot decode", 0), 0u) << message_of("cut.png");
  EXPECT_EQ(message_of("missing.png"), dir.path("missing.png") + ": cannot open the file");
  EXPECT_THROW(read_image(dir.path("missing.png"), 2), ImageFileError);
}

TEST(ResizeImage, SameSizeOnlyConvertsToUnitFloat) {
  const torch::Tensor image = test::gradient_image(3, 5, 7);
  const torch::Tensor same = resize_image(image, 5, 7);
  EXPECT_EQ(same.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(same, image.to(torch::kFloat32) / 255.0));
}

TEST(ResizeImage, ShrinkingAveragesInsteadOfSampling) {
  // A one-pixel checkerboard shrunk by 4 must turn mid-grey; plain bilinear
  // sampling would pick single pixels and keep black and white.
  const torch::Tensor board =
      ((torch::arange(16).view({16, 1}) + torch::arange(16).view({1, 16})) % 2 * 255).to(torch::kUInt8).unsqueeze(0);
  const torch::Tensor small = resize_image(board, 4, 4);
  ASSERT_EQ(small.sizes(), (std::vector<int64_t>{1, 4, 4}));
  EXPECT_NEAR(small.min().item<double>(), 0.5, 0.05);
  EXPECT_NEAR(small.max().item<double>(), 0.5, 0.05);
}

TEST(ResizeImage, EnlargingKeepsRangeAndShape) {
  const torch::Tensor image = test::gradient_image(1, 2, 2);
  const torch::Tensor big = resize_image(image, 6, 4);
  ASSERT_EQ(big.sizes(), (std::vector<int64_t>{1, 6, 4}));
  EXPECT_GE(big.min().item<double>(), 0.0);
  EXPECT_LE(big.max().item<double>(), 1.0);
}

}  // namespace
}  // namespace tl
