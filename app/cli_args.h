#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tl::cli {

/// A command's arguments: positionals, and options of the form --name VALUE
/// (or a bare --flag) in any order.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;

  std::optional<std::string> get(const std::string& name) const;
};

/// Splits `args`; `known` take a value, `flags` none. Throws UsageError for
/// an unknown option or a missing value.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<std::string>& known,
                      const std::vector<std::string>& flags = {});

/// `text` as a whole integer >= `min`; UsageError naming `option` otherwise.
int64_t parse_int(const std::string& option, const std::string& text, int64_t min);

}  // namespace tl::cli
