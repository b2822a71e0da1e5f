#include "train/weight_memory_format.h"

namespace tl {

void set_weight_memory_format(torch::nn::Module& module, at::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() != 4 || p.is_contiguous(format)) continue;
    p.set_data(p.contiguous(format));
  }
}

bool has_weight_memory_format(const torch::nn::Module& module, at::MemoryFormat format) {
  for (const auto& p : module.parameters()) {
    if (p.dim() == 4 && !p.is_contiguous(format)) return false;
  }
  return true;
}

}  // namespace tl
