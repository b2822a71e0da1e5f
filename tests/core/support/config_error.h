#pragma once

#include "experiment/experiment_config.h"

#include <string>

namespace tl::test {

/// The ConfigError message a JSON config gives, or "no error".
inline std::string config_error(const nlohmann::json& j) {
  try {
    config_from_json(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

/// The message of the ConfigError `action` throws, or "no error".
template <typename Action>
std::string config_error_of(Action&& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace tl::test
