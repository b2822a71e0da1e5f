#pragma once

#include "models/transfer_model.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// Where a probe reads a model's activations.
struct ProbePoint {
  enum class Kind {
    Input,        ///< the (normalised) input pixels, the reference row of a profile
    BlockOutput,  ///< the output of block `block_index`, as run_blocks gives it
    ChainLayer    ///< a layer inside a block that is a chain (a Sequential) of its children
  };

  Kind kind = Kind::Input;
  std::string layer;  ///< the id shown and accepted: "input", a block's path (or name), a module path
  std::string block;  ///< name of the block it belongs to; "" for the input
  std::string type;   ///< module type ("ConvBlock", "ReLU"), "block" for multi-module blocks, "pixels"
  int64_t block_index = -1;
  /// ChainLayer: child indices from the block's module down to the layer
  /// (features.1.2 → {2}; layer1.0 → {0}).
  std::vector<int64_t> chain;
};

/// Every point of `model` a probe can read, in forward order: the input, then
/// per block its output followed by the layers inside it that are reachable
/// through chains. A block with several modules (ResNet's stem: conv1, bn1 and
/// a ReLU applied in code) is offered only as a whole, by its name; a layer
/// inside a residual block is not offered, its output is not what the block
/// passes on.
std::vector<ProbePoint> probe_points(TransferModelImpl& model);

/// The input and every block's output: the rows of a transferability profile.
std::vector<ProbePoint> profile_points(TransferModelImpl& model);

/// The probe point for `layer` (an id from probe_points, or a block's name).
/// Throws ConfigError("probe.layer: ...") saying why it cannot be probed and
/// listing the layers that can.
ProbePoint resolve_probe_point(TransferModelImpl& model, const std::string& layer);

/// The activations at `point` for a batch of images, as the model computes
/// them (no pooling). Runs in whatever mode and grad mode the caller set.
torch::Tensor probe_activations(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images);

/// Flat features [N, D] with D <= max(max_features, channels): image-shaped
/// activations [N, C, H, W] are average-pooled to s x s cells, s the largest
/// size with C·s·s <= max_features (never above H x W, never below 1x1).
///
/// Why: the early layers of even a small CNN give 6-12 thousand values per
/// image, and kNN distances and a logistic regression's weights grow with
/// them. A common budget keeps every row of a profile the same size class, so
/// accuracies compare representations rather than dimensions, and keeps a
/// coarse spatial layout, which early layers' information is mostly about.
torch::Tensor bounded_features(const torch::Tensor& activations, int64_t max_features);

}  // namespace tl
