#include "experiment/json_fields.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace tl {
namespace {

const nlohmann::json& empty_object() {
  static const nlohmann::json empty = nlohmann::json::object();
  return empty;
}

std::string shown(const nlohmann::json& value) {
  std::string s = value.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

JsonFields::JsonFields(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) {
    throw ConfigError(path_.empty() ? std::string("config") : path_, "expected an object, got " + shown(object_));
  }
}

std::string JsonFields::field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void JsonFields::fail(const std::string& key, const std::string& expected) const {
  const auto it = object_.find(key);
  throw ConfigError(field(key),
                    "expected " + expected + ", got " + (it == object_.end() ? std::string("nothing") : shown(*it)));
}

bool JsonFields::has(const std::string& key) const { return object_.contains(key); }

const nlohmann::json* JsonFields::find(const std::string& key) {
  read_.push_back(key);
  const auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

void JsonFields::accept(const std::string& key) { read_.push_back(key); }

int64_t JsonFields::integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  const auto* v = find(key);
  if (!v) return fallback;
  const std::string expected =
      "an integer " + (max == INT64_MAX ? ">= " + std::to_string(min)
                                        : "in " + std::to_string(min) + ".." + std::to_string(max));
  if (!v->is_number_integer()) fail(key, expected);
  const auto value = v->get<int64_t>();
  if (value < min || value > max) fail(key, expected);
  return value;
}

double JsonFields::number(const std::string& key, double fallback, double min, double max) {
  const auto* v = find(key);
  if (!v) return fallback;
  const std::string expected = "a number in [" + format_number(min) + ", " + format_number(max) + "]";
  if (!v->is_number()) fail(key, expected);
  const auto value = v->get<double>();
  if (!std::isfinite(value) || value < min || value > max) fail(key, expected);
  return value;
}

bool JsonFields::boolean(const std::string& key, bool fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(key, "true or false");
  return v->get<bool>();
}

std::string JsonFields::string(const std::string& key, const std::string& fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) fail(key, "a string");
  return v->get<std::string>();
}

std::vector<int64_t> JsonFields::integers(const std::string& key, int64_t min, int64_t max) {
  const auto* v = find(key);
  if (!v) return {};
  const std::string expected =
      "a list of integers in " + std::to_string(min) + ".." + std::to_string(max);
  if (!v->is_array()) fail(key, expected);
  std::vector<int64_t> out;
  for (const auto& item : *v) {
    if (!item.is_number_integer()) fail(key, expected);
    const auto value = item.get<int64_t>();
    if (value < min || value > max) fail(key, expected);
    out.push_back(value);
  }
  return out;
}

const nlohmann::json& JsonFields::object(const std::string& key) {
  const auto* v = find(key);
  if (!v) return empty_object();
  if (!v->is_object()) fail(key, "an object");
  return *v;
}

void JsonFields::finish() const {
  for (const auto& item : object_.items()) {
    if (std::find(read_.begin(), read_.end(), item.key()) != read_.end()) continue;
    std::string known;
    for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
    throw ConfigError(field(item.key()), "unknown field (expected one of " + known + ")");
  }
}

}  // namespace tl
