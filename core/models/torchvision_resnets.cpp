#include "models/torchvision_resnets.h"

#include <stdexcept>

namespace tl {

const std::vector<std::string>& torchvision_resnet_names() {
  static const std::vector<std::string> names{"resnet18", "resnet34", "resnet50"};
  return names;
}

ResNetOptions torchvision_resnet_options(const std::string& name, int64_t num_classes, InputShape input) {
  ResNetOptions options;
  options.architecture = name;
  options.widths = {64, 128, 256, 512};
  options.stem = ResNetStem::ImageNet;
  options.num_classes = num_classes;
  options.input = input;
  if (name == "resnet18") {
    options.layers = {2, 2, 2, 2};
  } else if (name == "resnet34") {
    options.layers = {3, 4, 6, 3};
  } else if (name == "resnet50") {
    options.block = ResidualBlockKind::Bottleneck;
    options.layers = {3, 4, 6, 3};
  } else {
    throw std::invalid_argument("'" + name + "' is not a torchvision ResNet (known: resnet18, resnet34, resnet50)");
  }
  return options;
}

}  // namespace tl
