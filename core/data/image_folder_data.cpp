#include "data/image_folder_data.h"

#include "data/task_builder.h"

#include <algorithm>

namespace tl {
namespace {

// The decoded images whose file index lies in [begin, end): one split of the
// concatenated file list.
Dataset split_of(const DecodedImages& d, const std::vector<std::string>& classes, int64_t begin, int64_t end) {
  const torch::Tensor rows = ((d.file_indices >= begin) & (d.file_indices < end)).nonzero().squeeze(1);
  Dataset split;
  split.images = d.images.index_select(0, rows);
  split.labels = d.labels.index_select(0, rows);
  split.class_names = classes;
  return split;
}

std::vector<int64_t> counts_of(const Dataset& d) {
  const torch::Tensor counts = d.class_counts();
  return std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + counts.numel());
}

Dataset to_unit_float(Dataset d) {
  d.images = d.images.to(torch::kFloat32).div_(255.0);
  return d;
}

void check_every_class_trains(const ImageFolderListing& listing, const Dataset& train) {
  const std::vector<int64_t> counts = counts_of(train);
  for (size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] > 0) continue;
    const std::string folder = listing.has_validation || listing.has_test ? listing.root + "/train" : listing.root;
    throw ImageFolderError(folder + "/" + listing.class_names[c] +
                           ": no decodable training image in this class folder (see the skipped files)");
  }
}

}  // namespace

nlohmann::json ImageFolderReport::to_json(size_t max_skipped_names) const {
  nlohmann::json per_class = nlohmann::json::object();
  for (size_t c = 0; c < class_names.size(); ++c) {
    per_class[class_names[c]] = {{"train", train_per_class.at(c)},
                                 {"validation", validation_per_class.at(c)},
                                 {"test", test_per_class.at(c)}};
  }
  nlohmann::json first_skipped = nlohmann::json::array();
  for (size_t i = 0; i < std::min(max_skipped_names, skipped.size()); ++i) {
    first_skipped.push_back({{"path", skipped[i].path}, {"reason", skipped[i].reason}});
  }
  return {{"source", "image_folder"},
          {"root", root},
          {"classes", class_names},
          {"images_per_class", per_class},
          {"validation_source", validation_source},
          {"test_source", test_source},
          {"files", files},
          {"skipped_count", skipped.size()},
          {"skipped_first", first_skipped},
          {"decoded", decoded},
          {"from_cache", from_cache},
          {"cache_file", cache_file}};
}

ImageFolderData load_image_folder(const ImageFolderListing& listing, const ImageDecodeOptions& options,
                                  const ImageFolderSplit& split) {
  // One decode over all splits: one progress bar and one cache file.
  std::vector<ImageFileEntry> files = listing.train;
  files.insert(files.end(), listing.validation.begin(), listing.validation.end());
  files.insert(files.end(), listing.test.begin(), listing.test.end());
  const DecodedImages decoded = decode_images(files, options);

  const int64_t train_end = static_cast<int64_t>(listing.train.size());
  const int64_t val_end = train_end + static_cast<int64_t>(listing.validation.size());
  Dataset pool = split_of(decoded, listing.class_names, 0, train_end);
  check_every_class_trains(listing, pool);

  ImageFolderData data;
  // The test set is drawn before validation and with its own seed, so
  // changing the validation share never moves an image into the test set.
  if (listing.has_test) {
    data.test = split_of(decoded, listing.class_names, val_end, static_cast<int64_t>(files.size()));
  } else {
    std::tie(pool, data.test) = split_validation(pool, split.val_fraction, split.seed + 1);
  }
  if (listing.has_validation) {
    data.validation = split_of(decoded, listing.class_names, train_end, val_end);
    data.train = pool;
  } else {
    std::tie(data.train, data.validation) = split_validation(pool, split.val_fraction, split.seed);
  }

  ImageFolderReport& r = data.report;
  r.root = listing.root;
  r.class_names = listing.class_names;
  r.train_per_class = counts_of(data.train);
  r.validation_per_class = counts_of(data.validation);
  r.test_per_class = counts_of(data.test);
  r.validation_source = listing.has_validation ? "val/" : "split off the training images";
  r.test_source = listing.has_test ? "test/" : "split off the training images";
  r.files = static_cast<int64_t>(files.size());
  r.skipped = decoded.skipped;
  r.decoded = decoded.decoded;
  r.from_cache = decoded.from_cache;
  r.cache_file = decoded.cache_file;

  data.train = to_unit_float(std::move(data.train));
  data.validation = to_unit_float(std::move(data.validation));
  data.test = to_unit_float(std::move(data.test));
  return data;
}

}  // namespace tl
