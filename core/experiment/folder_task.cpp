#include "experiment/folder_task.h"

#include "data/image_folder.h"

namespace tl {
namespace {

ImageFolderListing scan_or_explain(const DataConfig& data, const std::string& section) {
  try {
    return scan_image_folder(data.folder);
  } catch (const ImageFolderError& e) {
    throw ConfigError(section + ".folder: " + e.what());
  }
}

// k-shot draws; k = 0 keeps every image.
Dataset sample_shots(const Dataset& data, int64_t k, uint64_t seed, const std::string& field) {
  return k > 0 ? sample_per_class_for(data, k, seed, field) : data;
}

std::vector<int64_t> per_class(const Dataset& d) {
  const torch::Tensor counts = d.class_counts().contiguous();
  return std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + counts.numel());
}

}  // namespace

int64_t folder_class_count(const DataConfig& data, const std::string& section) {
  return static_cast<int64_t>(scan_or_explain(data, section).class_names.size());
}

TaskData build_folder_task(const DataConfig& data, const std::optional<Normalization>& norm,
                           const std::string& section, const InputShape& input, const DataLoadObserver& observer) {
  const ImageFolderListing listing = scan_or_explain(data, section);
  ImageDecodeOptions options;
  options.size = {input.channels, input.height, input.width};
  options.progress = observer.progress;
  options.cancel = observer.cancel;
  ImageFolderData folder;
  try {
    folder = load_image_folder(listing, options, {data.val_fraction, data.seed});
  } catch (const ImageFolderError& e) {
    throw ConfigError(section + ".folder: " + e.what());
  }

  TaskData task;
  task.train = sample_shots(folder.train, data.shots_per_class, data.seed, section + ".shots_per_class");
  task.validation = folder.validation;
  task.test = sample_shots(folder.test, data.test_per_class, data.seed + 1, section + ".test_per_class");
  task.normalization = norm ? *norm : compute_normalization(task.train);
  task.train = normalize(task.train, task.normalization);
  task.validation = normalize(task.validation, task.normalization);
  task.test = normalize(task.test, task.normalization);
  // The report counts what the task trains and tests on, after k-shot sampling.
  folder.report.train_per_class = per_class(task.train);
  folder.report.test_per_class = per_class(task.test);
  task.folder_report = folder.report;
  return task;
}

}  // namespace tl
