#pragma once

#include "models/transfer_model.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

namespace tl {

/// torchvision's MobileNetV2 classifier: "0" Dropout(0.2), "1" Linear. A module
/// of its own (not a Sequential) so the Linear can be replaced in place.
class MobileNetV2ClassifierImpl : public torch::nn::Module {
 public:
  MobileNetV2ClassifierImpl(int64_t in_features, int64_t num_classes);
  torch::Tensor forward(torch::Tensor x) { return linear->forward(dropout->forward(x)); }

  torch::nn::Dropout dropout;
  torch::nn::Linear linear;
};
TORCH_MODULE(MobileNetV2Classifier);

/// "mobilenet_v2": torchvision's MobileNetV2 (width 1.0). features.0 is a 3x3
/// stride-2 ConvBnReLU6 to 32 channels, features.1..17 InvertedResiduals,
/// features.18 a 1x1 ConvBnReLU6 to 1280 channels; then global average
/// pooling and classifier.1 (after dropout classifier.0). The input's channel
/// count is honoured (3 for ImageNet weights). Blocks: "stem" (features.0),
/// "stage1".."stage7" (one per inverted-residual setting) and "last_conv"
/// (features.18, with the pooling).
class MobileNetV2Impl : public TransferModelImpl {
 public:
  /// Throws when num_classes < 1.
  MobileNetV2Impl(int64_t num_classes, InputShape input);

  std::vector<Block> blocks() const override;
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override;
  torch::Tensor head_forward(torch::Tensor features) override;
  std::string head_path() const override { return "classifier.1"; }
  void replace_head(int64_t num_classes) override;
  int64_t num_classes() const override;
  int64_t feature_dim() const override;
  InputShape input_shape() const override { return input_; }
  int64_t flops_per_image() const override;

 private:
  InputShape input_;

 public:
  torch::nn::Sequential features;
  MobileNetV2Classifier classifier;
};
TORCH_MODULE(MobileNetV2);

}  // namespace tl
