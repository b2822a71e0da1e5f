#include "util/text_format.h"

#include <cmath>
#include <cstdio>

namespace tl {

std::string format_count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return n < 0 ? "-" + digits : digits;
}

std::string format_clock(double seconds) {
  const long s = seconds > 0 ? std::lround(seconds) : 0;
  char text[32];
  if (s < 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  }
  return text;
}

std::string format_duration(double seconds) {
  if (seconds < 0) return "--";
  const long s = std::lround(seconds);
  return s < 60 ? std::to_string(s) + "s" : format_clock(seconds);
}

std::string format_percent(double fraction, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f%%", decimals, 100.0 * fraction);
  return text;
}

std::string format_percent(const std::optional<double>& fraction, int decimals) {
  return fraction ? format_percent(*fraction, decimals) : "-";
}

std::string format_domain_distance(const std::optional<double>& mmd2, const std::optional<double>& proxy_a_distance) {
  if (!mmd2 || !proxy_a_distance) return "no similarity numbers (one domain only)";
  char text[96];
  std::snprintf(text, sizeof text, "MMD\u00b2 %.4f, proxy A-distance %.2f", *mmd2, *proxy_a_distance);
  return text;
}

}  // namespace tl
