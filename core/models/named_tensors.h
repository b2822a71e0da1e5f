#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace tl {

/// Every parameter and buffer of `module` by dotted name, in PyTorch's
/// state_dict order (modules in pre-order; each module's own parameters, then
/// its own buffers). The tensors are the module's own, not copies.
std::vector<std::pair<std::string, torch::Tensor>> named_tensors(const torch::nn::Module& module);

}  // namespace tl
