#pragma once

#include <torch/torch.h>

namespace tl {

/// Stores every 4-D parameter of `module` (convolution weights) with exactly
/// the strides of `format`, in place: the parameter objects stay the same, so
/// an optimizer built before still updates them, and their values do not
/// change. Exactly: a weight with one input channel or a 1x1 kernel passes
/// is_contiguous(ChannelsLast) with NCHW strides, and would run NCHW.
///
/// Training uses at::MemoryFormat::ChannelsLast (NHWC strides): LibTorch's
/// CPU convolutions (oneDNN) then run in NHWC for the forward and the
/// backward pass without reordering the weights on every call (tests/bench
/// measures the gain; see the README's Performance section). Inputs may stay
/// NCHW: a convolution with channels-last weights returns channels-last
/// activations either way. The two layouts run different kernels, so their
/// numbers differ by rounding (summation order); a run repeats exactly only in
/// the layout it began in, which is why checkpoints record it.
void set_weight_memory_format(torch::nn::Module& module, at::MemoryFormat format);

/// True when every 4-D parameter of `module` is stored in `format`.
bool has_weight_memory_format(const torch::nn::Module& module, at::MemoryFormat format);

}  // namespace tl
