#include "experiment/task_data.h"

#include "data/fashion_mnist_cache.h"
#include "data/label_mismatch.h"
#include "experiment/folder_task.h"

#include <torch/torch.h>

namespace tl {
namespace {

// Only the label-meaning dials apply to the test set: its classes must mean
// what the training labels mean, but it stays balanced and clean.
LabelMismatch meaning_only(const LabelMismatch& m) {
  LabelMismatch meaning;
  meaning.swaps = m.swaps;
  meaning.merges = m.merges;
  meaning.seed = m.seed;
  return meaning;
}

}  // namespace

Dataset sample_per_class_for(const Dataset& data, int64_t k, uint64_t seed, const std::string& field) {
  try {
    return sample_per_class(data, k, seed);
  } catch (const std::invalid_argument& e) {
    std::string reason = e.what();
    const std::string own_prefix = "sample_per_class: ";
    if (reason.rfind(own_prefix, 0) == 0) reason.erase(0, own_prefix.size());
    throw ConfigError(field + ": " + reason);
  }
}

TaskData build_task_data(const DataConfig& d, const std::optional<Normalization>& norm, const std::string& section,
                         const InputShape& input, const DataLoadObserver& observer) {
  if (d.dataset == kImageFolderDataset) return build_folder_task(d, norm, section, input, observer);
  const auto classes = d.selected_classes();
  Dataset pool = select_classes(cached_fashion_mnist(d.root, DataSplit::Train), classes);
  Dataset test = select_classes(cached_fashion_mnist(d.root, DataSplit::Test), classes);
  if (!d.mismatch.is_identity()) {
    pool = apply_label_mismatch(pool, d.mismatch);
    test = apply_label_mismatch(test, meaning_only(d.mismatch));
  }
  // Validation comes from the rest of the pool, so k-shot training keeps all k.
  auto [train, validation] = split_validation(pool, d.val_fraction, d.seed);
  if (d.shots_per_class > 0) train = sample_per_class_for(train, d.shots_per_class, d.seed, section + ".shots_per_class");
  if (d.test_per_class > 0) test = sample_per_class_for(test, d.test_per_class, d.seed + 1, section + ".test_per_class");

  TaskData task;
  task.train = apply_shift(train, d.shift);
  task.validation = apply_shift(validation, d.shift);
  task.test = apply_shift(test, d.shift);
  task.normalization = norm ? *norm : compute_normalization(task.train);
  task.train = normalize(task.train, task.normalization);
  task.validation = normalize(task.validation, task.normalization);
  task.test = normalize(task.test, task.normalization);
  return task;
}

// Mirrors build_task_data's split and sampling, to name the images it did not draw.
Dataset unlabelled_target_images(const DataConfig& d, const Normalization& norm) {
  Dataset pool = select_classes(cached_fashion_mnist(d.root, DataSplit::Train), d.selected_classes());
  if (!d.mismatch.is_identity()) pool = apply_label_mismatch(pool, d.mismatch);
  const Dataset train = split_validation(pool, d.val_fraction, d.seed).first;
  // sample_per_class draws by label only: on image positions it names the shots.
  Dataset positions = train;
  positions.images = torch::arange(train.size(), torch::kLong);
  const auto shots = sample_per_class_for(positions, d.shots_per_class, d.seed, "target.shots_per_class").images;
  auto unlabelled = torch::ones({train.size()}, torch::kBool);
  unlabelled.index_put_({shots}, false);
  return normalize(apply_shift(train.subset(unlabelled.nonzero().squeeze(1)), d.shift), norm);
}

int64_t target_class_count(const DataConfig& data) {
  if (data.dataset == kImageFolderDataset) return folder_class_count(data);
  int64_t count = static_cast<int64_t>(data.selected_classes().size());
  for (const auto& group : data.mismatch.merges) count -= static_cast<int64_t>(group.size()) - 1;
  return count;
}

}  // namespace tl
