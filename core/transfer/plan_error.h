#pragma once

#include <stdexcept>
#include <string>

namespace tl {

/// A strategy option or layer edit that does not fit the model, named by its
/// config field: field() is e.g. "transfer.top_blocks" or
/// "transfer.layers.features.9", what() is "<field>: <reason>". Core/transfer
/// does not know configs; the config layer reports it as a ConfigError with
/// the same field and message.
class PlanError : public std::invalid_argument {
 public:
  PlanError(const std::string& field, const std::string& reason)
      : std::invalid_argument(field + ": " + reason), field_(field), reason_(reason) {}

  const std::string& field() const noexcept { return field_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string field_;
  std::string reason_;
};

}  // namespace tl
