#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// The shape of one input image.
struct InputShape {
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width = 28;
};

/// A contiguous group of a model's layers that transfer strategies treat as
/// one unit ("freeze the lowest two blocks"). `paths` are dotted module paths
/// (torchvision's names: "conv1", "layer1", "features.0").
struct Block {
  std::string name;
  std::vector<std::string> paths;
};

/// Base class of every architecture in the zoo: a feature extractor made of
/// blocks, followed by a replaceable classifier head.
///
/// forward(x) == head(run_blocks(x, 0, num_blocks())); the split lets the
/// trainer cache activations at a freeze boundary and lets the similarity meter
/// read features at any depth. Module names equal torchvision's state-dict keys
/// so that weights load by name and a dotted path is a layer's id everywhere.
class TransferModelImpl : public torch::nn::Module {
 public:
  explicit TransferModelImpl(std::string architecture) : architecture_(std::move(architecture)) {}

  /// The zoo name this model was built from ("small_cnn", "resnet_narrow").
  const std::string& architecture() const { return architecture_; }

  /// Logits [N, num_classes()].
  torch::Tensor forward(torch::Tensor x) { return head_forward(run_blocks(x, 0, num_blocks())); }

  /// The blocks, from the input upwards. The head is not among them.
  virtual std::vector<Block> blocks() const = 0;
  int64_t num_blocks() const { return static_cast<int64_t>(blocks().size()); }

  /// Runs blocks [first, last) on x. run_blocks(x, 0, num_blocks()) gives the
  /// flat feature vector [N, feature_dim()] the head consumes: the last block
  /// includes any global pooling and flattening.
  virtual torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) = 0;

  /// The classifier head applied to features [N, feature_dim()].
  virtual torch::Tensor head_forward(torch::Tensor features) = 0;

  /// Dotted path of the head module ("fc", "classifier").
  virtual std::string head_path() const = 0;

  /// Replaces the head with a freshly initialised one for `num_classes`.
  virtual void replace_head(int64_t num_classes) = 0;

  virtual int64_t num_classes() const = 0;
  virtual int64_t feature_dim() const = 0;
  virtual InputShape input_shape() const = 0;

  /// Multiply-adds × 2 of one forward pass over one image (convolutions and
  /// linear layers), computed from the architecture.
  virtual int64_t flops_per_image() const = 0;

  /// Re-initialises every parameter and buffer under `path` as a freshly built
  /// model would have them (used by layer replacement and selective transfer).
  /// Throws naming the path when no such module exists.
  void reset_module(const std::string& path);

 private:
  std::string architecture_;
};
TORCH_MODULE(TransferModel);

/// Total number of parameters of a module and its children.
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace tl
