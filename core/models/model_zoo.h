#pragma once

#include "models/transfer_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// What a person weighs when choosing an architecture.
struct ArchitectureInfo {
  std::string name;         ///< zoo name, e.g. "small_cnn"
  std::string title;        ///< e.g. "Small CNN (3 conv blocks)"
  std::string description;  ///< one sentence
  InputShape input;
  int64_t parameters = 0;   ///< with a 10-class head
  int64_t flops_per_image = 0;
};

/// Names of every architecture the zoo can build, in display order.
std::vector<std::string> architecture_names();

/// Whether the zoo can build `name` (a name, not a checkpoint file).
bool is_architecture(const std::string& name);

/// Builds a freshly initialised model. The seed of the initial weights is the
/// global torch seed, so callers seed first for reproducible runs. Throws
/// listing the known names when `name` is unknown.
TransferModel make_model(const std::string& name, int64_t num_classes, InputShape input = {});

/// Metadata of an architecture (builds one to count).
ArchitectureInfo describe_architecture(const std::string& name);

}  // namespace tl
