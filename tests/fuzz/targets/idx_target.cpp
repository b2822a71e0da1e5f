#include "fuzz_targets.h"

#include "data/idx_reader.h"

namespace tl::fuzz {

int fuzz_idx(const uint8_t* data, size_t size) {
  detail::expect_clean([&] {
    const torch::Tensor t = read_idx_bytes(data, size, kInputName);
    if (t.scalar_type() != torch::kUInt8 || t.dim() < 1 || t.dim() > 4 || !t.is_contiguous()) {
      throw ContractViolation("read_idx_bytes accepted the input but returned a malformed tensor");
    }
  });
  return 0;
}

}  // namespace tl::fuzz
