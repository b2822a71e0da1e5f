#pragma once

#include "experiment/task_data.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tl {

/// The number of class folders of an image-folder task. Throws ConfigError
/// naming `section`.folder and the path when the folder cannot serve.
int64_t folder_class_count(const DataConfig& data, const std::string& section = "target");

/// build_task_data for dataset "image-folder": scan, decode to `input`, split
/// (val/ and test/ when present, else stratified by val_fraction and seed),
/// k-shot sampling, normalisation (`norm`, else the training images' own).
TaskData build_folder_task(const DataConfig& data, const std::optional<Normalization>& norm,
                           const std::string& section, const InputShape& input, const DataLoadObserver& observer);

}  // namespace tl
