#include "models/model_checks.h"

#include <stdexcept>

namespace tl {

void check_num_classes(const std::string& architecture, int64_t num_classes) {
  if (num_classes < 1) {
    throw std::invalid_argument(architecture + " needs at least 1 class, got " + std::to_string(num_classes));
  }
}

InputShape checked_input(const std::string& architecture, InputShape input, int64_t min_size) {
  if (input.channels < 1) {
    throw std::invalid_argument(architecture + " needs at least 1 input channel, got " +
                                std::to_string(input.channels));
  }
  if (input.height < min_size || input.width < min_size) {
    throw std::invalid_argument(architecture + " needs images of at least " + std::to_string(min_size) + "x" +
                                std::to_string(min_size) + " pixels, got " + std::to_string(input.height) + "x" +
                                std::to_string(input.width));
  }
  return input;
}

void check_block_range(const std::string& architecture, int64_t first, int64_t last, int64_t num_blocks) {
  if (first < 0 || first > last || last > num_blocks) {
    throw std::out_of_range(architecture + ": block range [" + std::to_string(first) + ", " + std::to_string(last) +
                            ") is not within [0, " + std::to_string(num_blocks) + "]");
  }
}

int64_t conv_output_size(int64_t input, int64_t kernel, int64_t stride, int64_t padding) {
  return (input + 2 * padding - kernel) / stride + 1;
}

bool is_under_path(const std::string& name, const std::string& path) {
  if (path.empty() || name == path) return true;
  return name.size() > path.size() && name.compare(0, path.size(), path) == 0 && name[path.size()] == '.';
}

}  // namespace tl
