#pragma once

#include "models/transfer_model.h"

#include <cstdint>
#include <string>

namespace tl {

/// Throws unless num_classes >= 1, naming the architecture.
void check_num_classes(const std::string& architecture, int64_t num_classes);

/// Throws unless every dimension of `input` is at least `min_size` pixels
/// (channels at least 1), naming the architecture.
InputShape checked_input(const std::string& architecture, InputShape input, int64_t min_size = 1);

/// Throws unless 0 <= first <= last <= num_blocks, naming the architecture.
void check_block_range(const std::string& architecture, int64_t first, int64_t last, int64_t num_blocks);

/// Output size of a convolution or pooling along one dimension.
int64_t conv_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t padding);

/// True when `name` is `path` itself or lies below it ("layer1.0.conv1" under "layer1");
/// every name lies under the empty path.
bool is_under_path(const std::string& name, const std::string& path);

}  // namespace tl
