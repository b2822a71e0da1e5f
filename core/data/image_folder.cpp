#include "data/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

namespace tl {
namespace fs = std::filesystem;
namespace {

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

std::vector<std::string> sorted_subfolders(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && !is_hidden(entry.path())) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Regular files below `class_dir`, sorted so the order (and every seeded
// split drawn from it) does not depend on the file system.
std::vector<std::string> files_below(const fs::path& class_dir) {
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(class_dir, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The files of one split root whose class folders are `classes` or a subset.
std::vector<ImageFileEntry> list_split(const fs::path& split_root, const std::vector<std::string>& classes,
                                       bool every_class_required) {
  std::vector<ImageFileEntry> entries;
  for (const std::string& name : sorted_subfolders(split_root)) {
    const auto found = std::lower_bound(classes.begin(), classes.end(), name);
    if (found == classes.end() || *found != name) {
      throw ImageFolderError((split_root / name).string() + ": class folder '" + name +
                             "' is not among the training classes (" + (split_root.parent_path() / "train").string() +
                             ")");
    }
    const std::vector<std::string> files = files_below(split_root / name);
    if (files.empty() && every_class_required) {
      throw ImageFolderError((split_root / name).string() + ": empty class folder (no files)");
    }
    const int64_t label = found - classes.begin();
    for (const auto& f : files) entries.push_back({f, label});
  }
  return entries;
}

std::vector<std::string> class_folders(const fs::path& dir) {
  std::vector<std::string> classes = sorted_subfolders(dir);
  if (classes.empty()) {
    throw ImageFolderError(dir.string() + ": no class folders (expected " + dir.string() + "/<class name>/<image>)");
  }
  if (classes.size() == 1) {
    throw ImageFolderError(dir.string() + ": only one class folder ('" + classes.front() +
                           "'); a classifier needs at least two");
  }
  return classes;
}

}  // namespace

std::vector<int64_t> ImageFolderListing::files_per_class(const std::vector<ImageFileEntry>& files) const {
  std::vector<int64_t> counts(class_names.size(), 0);
  for (const auto& f : files) ++counts.at(static_cast<size_t>(f.label));
  return counts;
}

ImageFolderListing scan_image_folder(const std::string& root) {
  std::error_code ec;
  if (root.empty()) throw ImageFolderError("image folder: no path given");
  if (!fs::exists(root, ec)) throw ImageFolderError(root + ": no such folder");
  if (!fs::is_directory(root, ec)) throw ImageFolderError(root + ": not a folder");

  ImageFolderListing listing;
  listing.root = root;
  const fs::path base(root);
  try {
    if (!fs::is_directory(base / "train")) {
      listing.class_names = class_folders(base);
      listing.train = list_split(base, listing.class_names, /*every_class_required=*/true);
      return listing;
    }
    // With a train/ sub-root every other folder beside it must be val/ or test/,
    // so a class that happens to be named "train" is not silently lost.
    for (const std::string& name : sorted_subfolders(base)) {
      if (name != "train" && name != "val" && name != "test") {
        throw ImageFolderError((base / name).string() + ": unexpected folder beside train/ (expected only train/, val/ "
                               "and test/, each holding <class name>/<image>)");
      }
    }
    listing.class_names = class_folders(base / "train");
    listing.train = list_split(base / "train", listing.class_names, true);
    listing.has_validation = fs::is_directory(base / "val");
    listing.has_test = fs::is_directory(base / "test");
    if (listing.has_validation) listing.validation = list_split(base / "val", listing.class_names, false);
    if (listing.has_test) listing.test = list_split(base / "test", listing.class_names, false);
    if (listing.has_validation && listing.validation.empty()) {
      throw ImageFolderError((base / "val").string() + ": no files (remove it to split validation off train/)");
    }
    if (listing.has_test && listing.test.empty()) {
      throw ImageFolderError((base / "test").string() + ": no files (remove it to split a test set off train/)");
    }
  } catch (const fs::filesystem_error& e) {
    throw ImageFolderError(e.path1().string() + ": cannot list the folder (" + e.code().message() + ")");
  }
  return listing;
}

}  // namespace tl
