#include "fuzz_targets.h"

#include "experiment/experiment_config.h"

namespace tl::fuzz {

int fuzz_config(const uint8_t* data, size_t size) {
  detail::expect_clean([&] {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const ExperimentConfig config = parse_config(text, kInputName);
    // An accepted config resolves to JSON that parses back to the same config,
    // as the GUI and `transferlab-cli run` rely on when they save and reload it.
    const nlohmann::json resolved = config_to_json(config);
    if (config_to_json(config_from_json(resolved)) != resolved) {
      throw ContractViolation("config changes in a config_to_json/config_from_json round trip: " + resolved.dump());
    }
  });
  return 0;
}

}  // namespace tl::fuzz
