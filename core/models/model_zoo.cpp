#include "models/model_zoo.h"

#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/torchvision_resnets.h"
#include "models/small_cnn.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace tl {

namespace {

/// The holder of an architecture (TransferModel's forwarding constructor would
/// try to build the abstract base from the pointer).
TransferModel as_transfer_model(std::shared_ptr<TransferModelImpl> impl) { return TransferModel(std::move(impl)); }

struct ZooEntry {
  std::string name;
  std::string title;
  std::string description;
  std::function<TransferModel(int64_t, InputShape)> build;
  InputShape described_input{};  ///< the input describe_architecture counts with
};

/// torchvision's models are described at their ImageNet input size.
constexpr InputShape kImageNetInput{3, 224, 224};

ZooEntry torchvision_resnet_entry(const std::string& name, const std::string& title, const std::string& description) {
  return {name, title, description,
          [name](int64_t num_classes, InputShape input) {
            return as_transfer_model(std::make_shared<ResNetImpl>(torchvision_resnet_options(name, num_classes, input)));
          },
          kImageNetInput};
}

const std::vector<ZooEntry>& zoo() {
  static const std::vector<ZooEntry> entries{
      {"small_cnn", "Small CNN (3 conv blocks)",
       "Three 3x3 convolution blocks with 32, 64 and 128 channels, batch norm and max pooling, then global "
       "average pooling and a linear classifier.",
       [](int64_t num_classes, InputShape input) {
         return as_transfer_model(std::make_shared<SmallCnnImpl>(num_classes, input));
       }},
      {"resnet_narrow", "Narrow ResNet (4 stages, widths 16-128)",
       "A torchvision-style ResNet with one basic residual block in each of four stages of 16, 32, 64 and 128 "
       "channels, a 3x3 stem for small images, global average pooling and a linear classifier.",
       [](int64_t num_classes, InputShape input) {
         ResNetOptions options;
         options.num_classes = num_classes;
         options.input = input;
         return as_transfer_model(std::make_shared<ResNetImpl>(options));
       }},
      torchvision_resnet_entry("resnet18", "ResNet-18 (torchvision)",
                               "torchvision's ResNet-18: a 7x7 stem with max pooling, four stages of two basic residual "
                               "blocks (64-512 channels); loads ImageNet weights exported from PyTorch by name."),
      torchvision_resnet_entry("resnet34", "ResNet-34 (torchvision)",
                               "torchvision's ResNet-34: like ResNet-18 with 3, 4, 6 and 3 basic blocks per stage; "
                               "loads ImageNet weights exported from PyTorch by name."),
      torchvision_resnet_entry("resnet50", "ResNet-50 (torchvision)",
                               "torchvision's ResNet-50: 3, 4, 6 and 3 bottleneck blocks per stage, 2048 features; "
                               "loads ImageNet weights exported from PyTorch by name."),
      {"mobilenet_v2", "MobileNetV2 (torchvision)",
       "torchvision's MobileNetV2: 17 inverted residual blocks of depthwise convolutions, 1280 features; small and "
       "fast, loads ImageNet weights exported from PyTorch by name.",
       [](int64_t num_classes, InputShape input) {
         return as_transfer_model(std::make_shared<MobileNetV2Impl>(num_classes, input));
       },
       kImageNetInput},
  };
  return entries;
}

const ZooEntry& find_entry(const std::string& name) {
  for (const auto& entry : zoo()) {
    if (entry.name == name) return entry;
  }
  std::string known;
  for (const auto& entry : zoo()) known += (known.empty() ? "" : ", ") + entry.name;
  throw std::invalid_argument("unknown architecture '" + name + "' (known: " + known + ")");
}

}  // namespace

std::vector<std::string> architecture_names() {
  std::vector<std::string> names;
  for (const auto& entry : zoo()) names.push_back(entry.name);
  return names;
}

bool is_architecture(const std::string& name) {
  const auto& entries = zoo();
  return std::any_of(entries.begin(), entries.end(), [&](const ZooEntry& e) { return e.name == name; });
}

TransferModel make_model(const std::string& name, int64_t num_classes, InputShape input) {
  return find_entry(name).build(num_classes, input);
}

ArchitectureInfo describe_architecture(const std::string& name) {
  const ZooEntry& entry = find_entry(name);
  const TransferModel model = entry.build(10, entry.described_input);
  ArchitectureInfo info;
  info.name = entry.name;
  info.title = entry.title;
  info.description = entry.description;
  info.input = model->input_shape();
  info.parameters = count_parameters(*model);
  info.flops_per_image = model->flops_per_image();
  return info;
}

}  // namespace tl
