#pragma once

#include "models/transfer_model.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// The residual block a ResNet stacks.
enum class ResidualBlockKind { Basic, Bottleneck };

/// The layers before stage 1.
enum class ResNetStem {
  Small,    ///< 3x3 conv, stride 1, padding 1, no max pooling (small images)
  ImageNet  ///< 7x7 conv, stride 2, padding 3, then 3x3 max pooling, stride 2 (torchvision)
};

/// A torchvision-style ResNet. The defaults describe "resnet_narrow"; e.g.
/// torchvision's resnet18 is {"resnet18", Basic, {2, 2, 2, 2}, {64, 128, 256, 512}, ImageNet}.
struct ResNetOptions {
  std::string architecture = "resnet_narrow";  ///< zoo name
  ResidualBlockKind block = ResidualBlockKind::Basic;
  std::vector<int64_t> layers{1, 1, 1, 1};      ///< blocks per stage
  std::vector<int64_t> widths{16, 32, 64, 128};  ///< planes per stage; the stem has widths[0] channels
  ResNetStem stem = ResNetStem::Small;
  int64_t num_classes = 10;
  InputShape input;
};

/// torchvision's ResNet: conv1, bn1, ReLU (+ max pooling for the ImageNet
/// stem), stages layer1..layerN (stride 1 for the first, 2 for the others),
/// global average pooling and `fc`. Blocks: "stem" {conv1, bn1}, then one per
/// stage; the last stage includes the pooling and flattening.
class ResNetImpl : public TransferModelImpl {
 public:
  explicit ResNetImpl(ResNetOptions options = {});

  std::vector<Block> blocks() const override;
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override;
  torch::Tensor head_forward(torch::Tensor features) override;
  std::string head_path() const override { return "fc"; }
  void replace_head(int64_t num_classes) override;
  int64_t num_classes() const override;
  int64_t feature_dim() const override;
  InputShape input_shape() const override { return options_.input; }
  int64_t flops_per_image() const override;

  const ResNetOptions& options() const { return options_; }

 private:
  std::vector<torch::nn::Sequential> make_stages();
  torch::Tensor run_stem(torch::Tensor x);

  ResNetOptions options_;

 public:
  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  std::vector<torch::nn::Sequential> stages;  ///< registered as layer1, layer2, ...
  torch::nn::Linear fc;
};
TORCH_MODULE(ResNet);

}  // namespace tl
