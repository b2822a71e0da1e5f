#pragma once

#include "models/transfer_model.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

namespace tl {

/// "small_cnn": three ConvBlocks (Conv2d 3x3 without bias, BatchNorm2d, ReLU,
/// MaxPool2d 2) with 32, 64 and 128 channels, global average pooling and a
/// linear classifier. Module names: features.0.0 (conv), features.0.1 (bn), ...,
/// classifier.
class SmallCnnImpl : public TransferModelImpl {
 public:
  /// Throws when num_classes < 1 or the image is smaller than 8x8 pixels.
  SmallCnnImpl(int64_t num_classes, InputShape input = {});

  std::vector<Block> blocks() const override;
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override;
  torch::Tensor head_forward(torch::Tensor features) override;
  std::string head_path() const override { return "classifier"; }
  void replace_head(int64_t num_classes) override;
  int64_t num_classes() const override;
  int64_t feature_dim() const override;
  InputShape input_shape() const override { return input_; }
  int64_t flops_per_image() const override;

 private:
  InputShape input_;

 public:
  torch::nn::Sequential features;
  torch::nn::Linear classifier;
};
TORCH_MODULE(SmallCnn);

}  // namespace tl
