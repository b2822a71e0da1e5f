#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl {

/// A folder that cannot serve as an image dataset (missing, empty class, one
/// class, ...). what() names the path and the problem.
struct ImageFolderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One image file and the index of its class.
struct ImageFileEntry {
  std::string path;
  int64_t label = 0;
};

/// The files of an image folder, per split, before any decoding.
///
/// Layout: root/<class>/<image> (one pool; validation and test are split off
/// later), or root/train/<class>/<image> with optional root/val/ and
/// root/test/ beside it, whose class folders must be among train's.
struct ImageFolderListing {
  std::string root;
  std::vector<std::string> class_names;  ///< sorted by byte value, like torchvision's ImageFolder
  std::vector<ImageFileEntry> train;     ///< the whole pool when there are no sub-roots
  std::vector<ImageFileEntry> validation;
  std::vector<ImageFileEntry> test;
  bool has_validation = false;  ///< root/val/ exists
  bool has_test = false;        ///< root/test/ exists

  /// Files per class in `files`, indexed like class_names.
  std::vector<int64_t> files_per_class(const std::vector<ImageFileEntry>& files) const;
};

/// Lists the image files under `root` without decoding them. Every regular
/// file below a class folder counts (nested folders too), except hidden ones
/// ("." prefix); whether it is an image is decided when it is decoded.
/// Throws ImageFolderError naming the path when root is missing or not a
/// folder, holds fewer than two class folders, a class folder of train has no
/// files, or val/ or test/ hold a class that train/ lacks.
ImageFolderListing scan_image_folder(const std::string& root);

}  // namespace tl
