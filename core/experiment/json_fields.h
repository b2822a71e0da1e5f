#pragma once

#include "experiment/experiment_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tl {

/// Reads the fields of one JSON object with checks, so every config error is
/// one line naming the full field path ("target.shots_per_class") and what was
/// expected. Unknown keys are reported by finish().
class JsonFields {
 public:
  /// `path` is the object's own path ("" for the top level).
  JsonFields(const nlohmann::json& object, std::string path);

  bool has(const std::string& key) const;
  int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max = INT64_MAX);
  double number(const std::string& key, double fallback, double min, double max);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, const std::string& fallback);
  std::vector<int64_t> integers(const std::string& key, int64_t min, int64_t max);
  /// The sub-object at `key` (an empty object when absent).
  const nlohmann::json& object(const std::string& key);
  /// Marks a key as read without reading it here.
  void accept(const std::string& key);

  /// The full path of a key, for messages.
  std::string field(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

  /// Throws naming the first key that was never read, listing the known ones.
  void finish() const;

 private:
  const nlohmann::json* find(const std::string& key);

  const nlohmann::json& object_;
  std::string path_;
  std::vector<std::string> read_;
};

}  // namespace tl
