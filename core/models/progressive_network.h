#pragma once

#include "models/transfer_model.h"

#include <torch/nn/modules/container/modulelist.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// A progressive network (Rusu et al., 2016) of two columns of the same
/// architecture: the pretrained "source" column, meant to stay frozen, and a
/// freshly initialised "target" column that learns the new task. Lateral
/// adapters "laterals.i" (1x1 convolutions) carry the source column's output
/// of block i into the target column, where they are added to the input of
/// target block i+1, so the target reuses source features without changing
/// them. Module names inside each column are the architecture's own
/// ("source.features.0.0", "target.classifier").
///
/// blocks() are the target column's blocks; block i+1 includes "laterals.i".
/// The head is the target column's head. Between blocks the activation is the
/// channel-wise concatenation [source, target], so run_blocks(x, first, last)
/// composes and a frozen prefix can be cached like in any other model.
class ProgressiveNetworkImpl : public TransferModelImpl {
 public:
  /// `source` and `target` must be of the same architecture and input shape,
  /// with image-shaped (N, C, H, W) activations between blocks; throws otherwise.
  ProgressiveNetworkImpl(TransferModel source, TransferModel target);

  std::vector<Block> blocks() const override;
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override;
  torch::Tensor head_forward(torch::Tensor features) override;
  std::string head_path() const override { return "target." + target->head_path(); }
  void replace_head(int64_t num_classes) override { target->replace_head(num_classes); }
  int64_t num_classes() const override { return target->num_classes(); }
  int64_t feature_dim() const override { return target->feature_dim(); }
  InputShape input_shape() const override { return target->input_shape(); }
  int64_t flops_per_image() const override;

  TransferModel source;
  TransferModel target;
  torch::nn::ModuleList laterals;

 private:
  std::vector<int64_t> source_channels_;  ///< channels of each source block's output
  int64_t lateral_flops_ = 0;
};
TORCH_MODULE(ProgressiveNetwork);

}  // namespace tl
