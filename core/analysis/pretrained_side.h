#pragma once

#include "analysis/run_folder.h"

#include <optional>
#include <string>
#include <vector>

namespace tl {

/// The model a run started from and the images of the task it learned first:
/// the "before" side of an analysis and the source domain of its feature maps.
struct PretrainedSide {
  /// The checkpoint the run's config names (model.pretrained); absent for a
  /// run from scratch or a checkpoint that cannot be loaded.
  std::optional<SavedModel> model;
  /// The test images of the source task the checkpoint records, raw pixels in
  /// [0, 1] at its input size; empty when there is no model or it records none.
  Dataset source_pixels;
};

/// Loads the pretrained side of `folder`'s run. What is missing is not an
/// error: a plain sentence on it and on what it means for the analysis is
/// appended to `notes` instead.
PretrainedSide load_pretrained_side(const RunFolder& folder, std::vector<std::string>& notes);

}  // namespace tl
