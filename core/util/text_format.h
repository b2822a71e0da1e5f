#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tl {

/// 1234567 → "1,234,567": parameter and image counts, with a comma whatever
/// the locale, so CLI output and the window read alike.
std::string format_count(int64_t n);

/// Seconds on a clock: "0:42", "3:07", "1:02:03" (negative counts as 0).
std::string format_clock(double seconds);

/// Seconds for a log line: "42s" under a minute, else format_clock; "--" for
/// a negative (unknown) time.
std::string format_duration(double seconds);

/// A fraction in [0, 1] as a percentage with `decimals` digits: 0.873 → "87.3%".
std::string format_percent(double fraction, int decimals = 1);

/// format_percent, or "-" when there is no value (a run that was not evaluated).
std::string format_percent(const std::optional<double>& fraction, int decimals = 1);

/// How far apart two domains' features lie, as the feature map and the CLI
/// print it: "MMD² 0.0123, proxy A-distance 0.42" (MMD² to 4 decimals, the
/// proxy A-distance, in [0, 2], to 2); "no similarity numbers (one domain
/// only)" when either is missing.
std::string format_domain_distance(const std::optional<double>& mmd2, const std::optional<double>& proxy_a_distance);

}  // namespace tl
