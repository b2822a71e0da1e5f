#pragma once

#include "models/resnet.h"

#include <string>
#include <vector>

namespace tl {

/// Zoo names of torchvision's ResNets built by torchvision_resnet_options.
const std::vector<std::string>& torchvision_resnet_names();

/// The ResNetOptions of torchvision's "resnet18", "resnet34" or "resnet50"
/// (ImageNet stem; basic blocks {2,2,2,2} / {3,4,6,3}, bottlenecks {3,4,6,3}),
/// so their state-dict keys and shapes equal torchvision's. The input's
/// channel count is honoured (3 for ImageNet weights). Throws on other names.
ResNetOptions torchvision_resnet_options(const std::string& name, int64_t num_classes, InputShape input);

}  // namespace tl
