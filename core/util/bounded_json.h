#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace tl {

/// Deepest nesting of arrays and objects that parse_bounded_json accepts.
/// Real safetensors headers, checkpoint metadata and configs nest a few
/// levels. nlohmann::json parses iteratively but copies, compares and prints
/// values recursively, so a hostile file nesting 100,000 levels would
/// overflow the stack later, far from the reader.
constexpr int kMaxJsonDepth = 100;

/// Thrown by parse_bounded_json for text whose syntax is valid but which it
/// refuses: nesting deeper than kMaxJsonDepth, or a number too large for a
/// double (nlohmann::json reports that as out_of_range, which readers
/// catching parse_error alone would let escape).
class JsonRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// nlohmann::json::parse of [first, last) that stops at the first array or
/// object deeper than kMaxJsonDepth. Throws nlohmann::json::parse_error on a
/// syntax error (including ill-formed UTF-8) and JsonRejected otherwise.
nlohmann::json parse_bounded_json(const char* first, const char* last);
inline nlohmann::json parse_bounded_json(const std::string& text) {
  return parse_bounded_json(text.data(), text.data() + text.size());
}

/// The JSON of the file at `path` through parse_bounded_json; null when the
/// file is missing or unreadable, or its text is invalid or refused. For
/// records a reader can do without (run.json when resuming or re-running).
nlohmann::json read_bounded_json_file_or_null(const std::string& path);

/// parse_bounded_json for readers that skip what they cannot read (a line of
/// an event log, a hand-edited history row): null instead of an exception.
inline nlohmann::json parse_bounded_json_or_null(const std::string& text) {
  try {
    return parse_bounded_json(text);
  } catch (const nlohmann::json::parse_error&) {
    return nullptr;
  } catch (const JsonRejected&) {
    return nullptr;
  }
}

}  // namespace tl
