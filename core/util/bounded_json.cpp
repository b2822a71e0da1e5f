#include "util/bounded_json.h"

#include <fstream>
#include <iterator>

namespace tl {

nlohmann::json parse_bounded_json(const char* first, const char* last) {
  using Event = nlohmann::json::parse_event_t;
  // `depth` counts the containers already open when a new one starts.
  const auto limit_depth = [](int depth, Event event, nlohmann::json&) {
    if ((event == Event::array_start || event == Event::object_start) && depth >= kMaxJsonDepth) {
      throw JsonRejected("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(first, last, limit_depth);
  } catch (const nlohmann::json::out_of_range& e) {
    // "[json.exception.out_of_range.406] number overflow parsing '1e400'": keep
    // the part after the id, shortened, since the number's text can be huge.
    std::string what = e.what();
    what.erase(0, what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2);
    if (what.size() > 80) what = what.substr(0, 77) + "...";
    throw JsonRejected("JSON " + what);
  }
}

nlohmann::json read_bounded_json_file_or_null(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_bounded_json_or_null(text);
}

}  // namespace tl
