#pragma once

#include "models/transfer_model.h"
#include "weights/checkpoint.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// How an image of another size reaches the model's input size.
enum class ResizePolicy {
  /// Straight to height × width (models trained on images of one fixed size).
  Stretch,
  /// torchvision's eval transform: Resize(resize_size) of the shorter side,
  /// keeping the aspect ratio, then CenterCrop(height, width).
  ShorterSideThenCenterCrop,
};

std::string resize_policy_name(ResizePolicy policy);  ///< "stretch", "shorter_side_then_center_crop"
ResizePolicy resize_policy_from_name(const std::string& name);  ///< throws naming the known policies

/// Everything needed to turn an image file into the model's input tensor,
/// as stored in an exported model's metadata ("preprocessing").
struct Preprocessing {
  InputShape input;
  std::vector<double> mean;  ///< per channel, applied to pixel values in [0, 1]
  std::vector<double> std;
  ResizePolicy resize = ResizePolicy::Stretch;
  /// Shorter side before the centre crop (ShorterSideThenCenterCrop only):
  /// 256 for a 224 input, as torchvision scales it.
  int64_t resize_size = 0;

  /// {"input": [C, H, W], "mean", "std", "resize", "resize_size"?}.
  nlohmann::json to_json() const;
  /// Throws std::invalid_argument naming the field on bad input.
  static Preprocessing from_json(const nlohmann::json& j);
  bool operator==(const Preprocessing& o) const;
};

/// torchvision's ImageNet statistics.
const std::vector<double>& imagenet_mean();
const std::vector<double>& imagenet_std();

/// The preprocessing a checkpoint's model expects: ImageNet-style models
/// (three channels at 224 × 224, or ImageNet's mean and std) take
/// torchvision's eval transform with ImageNet statistics unless the
/// checkpoint records its own; every other model stretches the image to its
/// input size and applies the checkpoint's normalisation. An exported model's
/// recorded "preprocessing" wins over both.
Preprocessing preprocessing_of(const CheckpointMetadata& metadata);

/// Image pixels uint8 [C, H, W] (C = preprocessing.input.channels) → the
/// model's normalised float input [C, height, width]. An image that already
/// has the input size is not resized. Throws naming the shapes when the
/// channels differ.
torch::Tensor preprocess_image(const torch::Tensor& image, const Preprocessing& preprocessing);

}  // namespace tl
