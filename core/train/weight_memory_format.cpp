#include "train/weight_memory_format.h"

namespace tl {
namespace {

// is_contiguous(format) also holds for strides that only look like the
// format: a weight with one input channel, or a 1x1 kernel, is contiguous both
// ways. The convolutions choose their layout from the strides themselves, so
// a weight counts as stored in `format` only with exactly that format's strides.
bool stored_in(const at::Tensor& p, at::MemoryFormat format) {
  return p.strides() == at::empty_like(p, {}, format).strides();
}

}  // namespace

void set_weight_memory_format(torch::nn::Module& module, at::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() != 4 || stored_in(p, format)) continue;
    auto restrided = at::empty_like(p, {}, format);
    restrided.copy_(p);
    p.set_data(restrided);
  }
}

bool has_weight_memory_format(const torch::nn::Module& module, at::MemoryFormat format) {
  for (const auto& p : module.parameters()) {
    if (p.dim() == 4 && !stored_in(p, format)) return false;
  }
  return true;
}

}  // namespace tl
