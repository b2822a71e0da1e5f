#include "models/model_zoo.h"

#include "models/resnet.h"
#include "models/small_cnn.h"

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
};

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

TransferModel make_model(const std::string& name, int64_t num_classes, InputShape input) {
  return find_entry(name).build(num_classes, input);
}

ArchitectureInfo describe_architecture(const std::string& name) {
  const ZooEntry& entry = find_entry(name);
  const TransferModel model = entry.build(10, InputShape{});
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
