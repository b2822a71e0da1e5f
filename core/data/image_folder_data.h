#pragma once

#include "data/dataset.h"
#include "data/image_decoder.h"
#include "data/image_folder.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// What loading an image folder found: shown in the GUI's data panel and
/// written to run.json as "data_report".
struct ImageFolderReport {
  std::string root;
  std::vector<std::string> class_names;
  std::vector<int64_t> train_per_class;  ///< decoded images per class, after the splits
  std::vector<int64_t> validation_per_class;
  std::vector<int64_t> test_per_class;
  std::string validation_source;  ///< "val/" or "split off the training images"
  std::string test_source;        ///< "test/" or "split off the training images"
  int64_t files = 0;              ///< files listed
  std::vector<SkippedImage> skipped;
  int64_t decoded = 0;            ///< files decoded in this load (0 = all from the cache)
  bool from_cache = false;
  std::string cache_file;

  /// The report as JSON; `max_skipped_names` caps the listed skipped files
  /// (the count is always complete).
  nlohmann::json to_json(size_t max_skipped_names = 10) const;
};

/// An image folder as train / validation / test sets, float [N, C, H, W] in [0, 1].
struct ImageFolderData {
  Dataset train;
  Dataset validation;
  Dataset test;
  ImageFolderReport report;
};

/// How the splits are drawn when the folder has no val/ or test/.
struct ImageFolderSplit {
  double val_fraction = 0.1;  ///< of each class; also the test fraction when there is no test/
  uint64_t seed = 1;
};

/// Scans, decodes (see decode_images) and splits an image folder. Without
/// val/ a stratified validation set is drawn from the training images, and
/// without test/ a stratified test set first, both deterministic for the seed.
/// Throws ImageFolderError when a class is left without a decodable training image.
ImageFolderData load_image_folder(const ImageFolderListing& listing, const ImageDecodeOptions& options,
                                  const ImageFolderSplit& split);

}  // namespace tl
