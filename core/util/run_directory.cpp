#include "util/run_directory.h"

#include <cctype>
#include <ctime>
#include <filesystem>

namespace tl {
namespace {

std::string safe_name(const std::string& name) {
  std::string safe;
  for (char c : name) {
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    if (allowed) {
      safe += c;
    } else if (safe.empty() || safe.back() != '_') {
      safe += '_';  // a run of other characters becomes one '_'
    }
  }
  return safe.empty() ? "run" : safe;
}

std::string local_time_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

}  // namespace

std::string new_run_directory(const std::string& runs_dir, const std::string& name) {
  const std::string base = (std::filesystem::path(runs_dir) / (safe_name(name) + "-" + local_time_stamp())).string();
  std::string dir = base;
  for (int i = 2; std::filesystem::exists(dir); ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

}  // namespace tl
