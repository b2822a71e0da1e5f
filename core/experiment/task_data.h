#pragma once

#include "data/dataset.h"
#include "data/image_folder_data.h"
#include "data/task_builder.h"
#include "experiment/experiment_config.h"
#include "models/transfer_model.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace tl {

/// Train / validation / test sets of one task, normalised for the model.
struct TaskData {
  Dataset train;
  Dataset validation;
  Dataset test;
  Normalization normalization;
  std::optional<ImageFolderReport> folder_report;  ///< image-folder tasks: classes, counts, skipped files
};

/// Progress and cancellation of the slow part of building a task's data:
/// decoding an image folder (Fashion-MNIST tasks ignore it).
struct DataLoadObserver {
  DecodeProgress progress;                    ///< (files done, total), on the calling thread
  const std::atomic<bool>* cancel = nullptr;  ///< set to stop decoding (throws ImageDecodeCancelled)
};

/// Builds a task's data from the config: load, select classes, label
/// mismatch, k-shot sampling, validation split, domain shift, normalisation.
/// `norm` = the model's preprocessing (from its checkpoint); when empty the
/// statistics of the training images are used. `section` ("target" or
/// "source") prefixes the field names in error messages. Image folders are
/// brought to `input` (the model's channels and size), decoded in parallel
/// and cached on disk (see decode_images).
TaskData build_task_data(const DataConfig& data, const std::optional<Normalization>& norm = std::nullopt,
                         const std::string& section = "target", const InputShape& input = {},
                         const DataLoadObserver& observer = {});

/// The target's training images not drawn as labelled shots, shifted and
/// normalised like them: DANN's unlabelled set (Fashion-MNIST tasks).
Dataset unlabelled_target_images(const DataConfig& data, const Normalization& norm);

/// sample_per_class (k images of every class, seeded) whose errors are
/// ConfigErrors naming the config `field`, e.g. "target.shots_per_class: ...".
Dataset sample_per_class_for(const Dataset& data, int64_t k, uint64_t seed, const std::string& field);

/// Number of classes of a task after class selection and merges.
int64_t target_class_count(const DataConfig& data);

}  // namespace tl
