#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// One module of a model as the layer tree shows it.
struct LayerInfo {
  std::string path;    ///< dotted path, "" for the root
  std::string name;    ///< last path component ("conv1"); the architecture for the root
  std::string type;    ///< "Conv2d", "BatchNorm2d", "Sequential", "BasicBlock", ...
  int depth = 0;       ///< 0 for the root
  int parent = -1;     ///< index of the parent in the list, -1 for the root
  std::vector<std::vector<int64_t>> parameter_shapes;  ///< own parameters only
  int64_t own_parameters = 0;      ///< elements of the module's own parameters
  int64_t subtree_parameters = 0;  ///< own + all descendants'
  int64_t trainable_parameters = 0;  ///< of the subtree, requires_grad() true
};

/// The module hierarchy of `model` in pre-order (parents before children,
/// children in registration order). Trainable counts read requires_grad(), so
/// the tree reflects a FreezePlan once it has been applied.
std::vector<LayerInfo> layer_tree(const torch::nn::Module& model, const std::string& root_name = "model");

/// The short type name of a module ("torch::nn::Conv2dImpl" → "Conv2d",
/// "tl::BasicBlockImpl" → "BasicBlock").
std::string module_type_name(const torch::nn::Module& module);

}  // namespace tl
