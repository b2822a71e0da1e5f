#include "fuzz_targets.h"

#include "weights/safetensors.h"

namespace tl::fuzz {

int fuzz_safetensors(const uint8_t* data, size_t size) {
  detail::expect_clean([&] {
    const SafetensorsContents contents = parse_safetensors(reinterpret_cast<const char*>(data), size, kInputName);
    uint64_t payload = 0;
    for (const auto& [name, tensor] : contents.tensors) {
      payload += static_cast<uint64_t>(tensor.numel()) * tensor.element_size();
    }
    // Tensors never overlap, so together they fit in the file.
    if (payload > size) throw ContractViolation("parse_safetensors returned more tensor bytes than the file holds");
  });
  return 0;
}

}  // namespace tl::fuzz
