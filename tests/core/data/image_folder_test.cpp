#include "data/image_folder.h"
#include "data/image_decoder.h"
#include "data/image_folder_data.h"
#include "support/image_files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tl {
namespace {

using test::gradient_image;
using test::ImageDir;

std::string scan_error(const std::string& root) {
  try {
    scan_image_folder(root);
  } catch (const ImageFolderError& e) {
    return e.what();
  }
  return "no error";
}

// `per_class` colour PNGs in each of `classes`, under `prefix`.
void write_classes(const ImageDir& dir, const std::string& prefix, const std::vector<std::string>& classes,
                   int per_class) {
  for (size_t c = 0; c < classes.size(); ++c) {
    for (int i = 0; i < per_class; ++i) {
      dir.write_png(prefix + classes[c] + "/img" + std::to_string(i) + ".png",
                    gradient_image(3, 8, 8, static_cast<int64_t>(c * 50 + i)));
    }
  }
}

ImageDecodeOptions options_in(const ImageDir& cache, ImageSize size = {1, 4, 4}) {
  ImageDecodeOptions o;
  o.size = size;
  o.cache_dir = cache.root();
  o.threads = 2;
  return o;
}

TEST(ScanImageFolder, ClassesAreSortedByteWiseLikeTorchvision) {
  ImageDir dir;
  write_classes(dir, "", {"dog", "Cat", "bird", "ant"}, 1);
  dir.write_text(".hidden/x.png", "ignored");
  const ImageFolderListing listing = scan_image_folder(dir.root());
  EXPECT_EQ(listing.class_names, (std::vector<std::string>{"Cat", "ant", "bird", "dog"}));
  ASSERT_EQ(listing.train.size(), 4u);
  EXPECT_EQ(listing.train[0].path, dir.path("Cat/img0.png"));
  EXPECT_EQ(listing.train[0].label, 0);
  EXPECT_EQ(listing.train[3].label, 3);
  EXPECT_FALSE(listing.has_validation);
  EXPECT_FALSE(listing.has_test);
}

TEST(ScanImageFolder, FindsFilesInNestedFoldersAndSkipsHiddenOnes) {
  ImageDir dir;
  write_classes(dir, "", {"a", "b"}, 1);
  dir.write_png("a/more/deep.png", gradient_image(1, 3, 3));
  dir.write_text("a/.DS_Store", "x");
  const ImageFolderListing listing = scan_image_folder(dir.root());
  EXPECT_EQ(listing.files_per_class(listing.train), (std::vector<int64_t>{2, 1}));
}

TEST(ScanImageFolder, UsesTrainValTestSubRoots) {
  ImageDir dir;
  write_classes(dir, "train/", {"a", "b", "c"}, 2);
  write_classes(dir, "val/", {"a", "b"}, 1);
  write_classes(dir, "test/", {"c"}, 3);
  const ImageFolderListing listing = scan_image_folder(dir.root());
  EXPECT_EQ(listing.class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(listing.has_validation);
  EXPECT_TRUE(listing.has_test);
  EXPECT_EQ(listing.files_per_class(listing.train), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(listing.files_per_class(listing.validation), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(listing.files_per_class(listing.test), (std::vector<int64_t>{0, 0, 3}));
  EXPECT_EQ(listing.test.front().label, 2);
}

TEST(ScanImageFolder, BadLayoutsAreErrorsNamingThePath) {
  ImageDir dir;
  EXPECT_EQ(scan_error(dir.path("nowhere")), dir.path("nowhere") + ": no such folder");
  dir.write_text("file.txt", "x");
  EXPECT_EQ(scan_error(dir.path("file.txt")), dir.path("file.txt") + ": not a folder");

  dir.make_dir("none");
  EXPECT_EQ(scan_error(dir.path("none")),
            dir.path("none") + ": no class folders (expected " + dir.path("none") + "/<class name>/<image>)");

  write_classes(dir, "one/", {"only"}, 2);
  EXPECT_EQ(scan_error(dir.path("one")),
            dir.path("one") + ": only one class folder ('only'); a classifier needs at least two");

  write_classes(dir, "empty/", {"a"}, 2);
  dir.make_dir("empty/b");
  EXPECT_EQ(scan_error(dir.path("empty")), dir.path("empty/b") + ": empty class folder (no files)");

  write_classes(dir, "extra/train/", {"a", "b"}, 1);
  write_classes(dir, "extra/val/", {"z"}, 1);
  EXPECT_EQ(scan_error(dir.path("extra")), dir.path("extra/val/z") + ": class folder 'z' is not among the training "
                                                                      "classes (" + dir.path("extra/train") + ")");

  write_classes(dir, "stray/train/", {"a", "b"}, 1);
  write_classes(dir, "stray/", {"c"}, 1);
  EXPECT_EQ(scan_error(dir.path("stray")).rfind(dir.path("stray/c") + ": unexpected folder beside train/", 0), 0u);
}

TEST(DecodeImages, ConvertsResizesAndSkipsBadFilesWithReasons) {
  ImageDir dir, cache;
  dir.write_png("a/colour.png", gradient_image(3, 8, 8));
  dir.write_bmp("a/grey.bmp", gradient_image(1, 2, 2));
  dir.write_text("a/notes.png", "not an image");
  dir.write_truncated_png("b/cut.png", gradient_image(3, 32, 32));
  dir.write_text("b/zero.png", "");
  dir.write_jpeg("b/photo.jpg", gradient_image(3, 16, 16));
  const ImageFolderListing listing = scan_image_folder(dir.root());

  const DecodedImages d = decode_images(listing.train, options_in(cache, {3, 5, 6}));
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 3, 5, 6}));
  EXPECT_EQ(d.images.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({0, 0, 1}, torch::kLong)));
  // The grey BMP was repeated into three equal channels.
  EXPECT_TRUE(torch::equal(d.images[1][0], d.images[1][2]));
  ASSERT_EQ(d.skipped.size(), 3u);
  EXPECT_EQ(d.skipped[0].path, dir.path("a/notes.png"));
  EXPECT_EQ(d.skipped[0].reason.rfind(dir.path("a/notes.png") + ": not a PNG, JPEG or BMP image", 0), 0u)
      << d.skipped[0].reason;
  EXPECT_EQ(d.skipped[1].path, dir.path("b/cut.png"));
  EXPECT_EQ(d.skipped[2].reason, dir.path("b/zero.png") + ": empty file");
  EXPECT_EQ(d.decoded, 6);
  EXPECT_FALSE(d.from_cache);
}

TEST(DecodeImages, ProgressGrowsAndEndsAtTheTotal) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a", "b", "c"}, 7);
  const ImageFolderListing listing = scan_image_folder(dir.root());
  std::vector<int64_t> seen;
  ImageDecodeOptions o = options_in(cache);
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 21);
    seen.push_back(done);
  };
  decode_images(listing.train, o);
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 21);
}

TEST(DecodeImages, SecondLoadComesFromTheCacheUntilAFileChanges) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a", "b"}, 3);
  dir.write_text("b/bad.png", "x");
  const ImageDecodeOptions o = options_in(cache);

  const DecodedImages first = decode_images(scan_image_folder(dir.root()).train, o);
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(std::filesystem::exists(first.cache_file));

  const DecodedImages second = decode_images(scan_image_folder(dir.root()).train, o);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.decoded, 0);
  EXPECT_TRUE(torch::equal(second.images, first.images));
  EXPECT_TRUE(torch::equal(second.labels, first.labels));
  ASSERT_EQ(second.skipped.size(), 1u);
  EXPECT_EQ(second.skipped[0].path, dir.path("b/bad.png"));

  // Another size is another cache entry.
  ImageDecodeOptions bigger = o;
  bigger.size = {1, 6, 6};
  EXPECT_FALSE(decode_images(scan_image_folder(dir.root()).train, bigger).from_cache);

  // A changed file (other size) invalidates the entry.
  dir.write_png("a/img0.png", gradient_image(3, 9, 9));
  const DecodedImages third = decode_images(scan_image_folder(dir.root()).train, o);
  EXPECT_FALSE(third.from_cache);
  EXPECT_NE(third.cache_file, first.cache_file);
}

TEST(DecodeImages, CorruptCacheIsRebuiltNotFatal) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a", "b"}, 2);
  const auto files = scan_image_folder(dir.root()).train;
  const DecodedImages first = decode_images(files, options_in(cache));
  test::write_file(first.cache_file, "garbage");

  const DecodedImages again = decode_images(files, options_in(cache));
  EXPECT_FALSE(again.from_cache);
  EXPECT_TRUE(torch::equal(again.images, first.images));
  EXPECT_TRUE(decode_images(files, options_in(cache)).from_cache);
}

TEST(DecodeImages, CancelStopsWithAnError) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a", "b"}, 4);
  std::atomic<bool> cancel{true};
  ImageDecodeOptions o = options_in(cache);
  o.cancel = &cancel;
  EXPECT_THROW(decode_images(scan_image_folder(dir.root()).train, o), ImageDecodeCancelled);
}

TEST(LoadImageFolder, SplitsValidationAndTestOffTrainStratifiedAndSeeded) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a", "b", "c"}, 10);
  const ImageFolderListing listing = scan_image_folder(dir.root());
  const ImageFolderData data = load_image_folder(listing, options_in(cache, {3, 4, 4}), {0.2, 7});
  EXPECT_EQ(data.report.train_per_class, (std::vector<int64_t>{6, 6, 6}));
  EXPECT_EQ(data.report.validation_per_class, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(data.report.test_per_class, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(data.train.images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(data.train.images.sizes(), (std::vector<int64_t>{18, 3, 4, 4}));
  EXPECT_LE(data.train.images.max().item<double>(), 1.0);
  EXPECT_EQ(data.train.class_names, listing.class_names);

  const ImageFolderData again = load_image_folder(listing, options_in(cache, {3, 4, 4}), {0.2, 7});
  EXPECT_TRUE(torch::equal(again.test.images, data.test.images));
  const ImageFolderData other_seed = load_image_folder(listing, options_in(cache, {3, 4, 4}), {0.2, 8});
  EXPECT_FALSE(torch::equal(other_seed.test.images, data.test.images));
}

TEST(LoadImageFolder, KeepsGivenValAndTestAndReportsSkippedFiles) {
  ImageDir dir, cache;
  write_classes(dir, "train/", {"a", "b"}, 3);
  write_classes(dir, "val/", {"a", "b"}, 1);
  write_classes(dir, "test/", {"a", "b"}, 2);
  dir.write_text("train/a/readme.txt", "hello");
  const ImageFolderData data = load_image_folder(scan_image_folder(dir.root()), options_in(cache), {0.5, 1});
  EXPECT_EQ(data.report.train_per_class, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(data.report.validation_per_class, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(data.report.test_per_class, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(data.report.validation_source, "val/");

  const nlohmann::json j = data.report.to_json();
  EXPECT_EQ(j.at("skipped_count"), 1);
  EXPECT_EQ(j.at("skipped_first")[0].at("path"), dir.path("train/a/readme.txt"));
  EXPECT_EQ(j.at("images_per_class").at("b").at("test"), 2);
  EXPECT_EQ(j.at("files"), 13);
}

TEST(LoadImageFolder, AClassWithoutDecodableImagesIsAnError) {
  ImageDir dir, cache;
  write_classes(dir, "", {"a"}, 2);
  dir.write_text("b/one.png", "text");
  dir.write_text("b/two.jpg", "");
  try {
    load_image_folder(scan_image_folder(dir.root()), options_in(cache), {0.2, 1});
    FAIL() << "expected an ImageFolderError";
  } catch (const ImageFolderError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.path("b") + ": no decodable training image in this class folder (see the skipped files)");
  }
}

}  // namespace
}  // namespace tl
