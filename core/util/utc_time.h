#pragma once

#include <string>

namespace tl {

/// The current time as ISO 8601 UTC to the second, "2026-11-26T21:58:03Z":
/// the timestamps of events, run records, checkpoints and the run history.
std::string utc_now_iso8601();

}  // namespace tl
