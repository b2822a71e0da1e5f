#include "fuzz_targets.h"

#include "weights/checkpoint.h"

namespace tl::fuzz {

int fuzz_checkpoint(const uint8_t* data, size_t size) {
  detail::expect_clean([&] {
    const Checkpoint checkpoint = parse_checkpoint(reinterpret_cast<const char*>(data), size, kInputName);
    // What was read must be writable again as it was read.
    const nlohmann::json metadata = checkpoint.metadata.to_json();
    if (CheckpointMetadata::from_json(metadata).to_json() != metadata) {
      throw ContractViolation("checkpoint metadata changes in a to_json/from_json round trip");
    }
    metadata.dump();
  });
  return 0;
}

}  // namespace tl::fuzz
