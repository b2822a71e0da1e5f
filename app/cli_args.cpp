#include "cli_args.h"

#include "cli_commands.h"

#include <algorithm>

namespace tl::cli {

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  const auto it = options.find(name);
  return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<std::string>& known,
                      const std::vector<std::string>& flags) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      parsed.positional.push_back(a);
      continue;
    }
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      parsed.options[a] = "";
      continue;
    }
    if (std::find(known.begin(), known.end(), a) == known.end()) throw UsageError{"unknown option '" + a + "'"};
    if (i + 1 >= args.size()) throw UsageError{a + " needs a value"};
    parsed.options[a] = args[++i];
  }
  return parsed;
}

int64_t parse_int(const std::string& option, const std::string& text, int64_t min) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= min) return v;
  } catch (const std::exception&) {
  }
  throw UsageError{option + ": expected an integer >= " + std::to_string(min) + ", got '" + text + "'"};
}

}  // namespace tl::cli
