#pragma once

// Torch-free, so the window's widgets can use the label as a type.

#include <cstdint>
#include <optional>
#include <string>

namespace tl {

/// What a comparison over seeds says about the transfer (see judge_transfer).
/// SingleSeed: one seed cannot tell an effect from seed noise, so a
/// comparison over one seed reports its gap but claims nothing.
enum class VerdictLabel { Positive, Negative, Inconclusive, SingleSeed };

/// Fewer seeds than this make no positive or negative claim.
constexpr int64_t kMinSeedsForAClaim = 2;
/// What a single-seed verdict asks for: enough seeds for a spread to judge the gap against.
constexpr int64_t kSuggestedSeeds = 3;

/// Whether a comparison over `seeds` seeds may call the transfer positive or negative.
inline bool seeds_allow_a_claim(int64_t seeds) { return seeds >= kMinSeedsForAClaim; }

/// The verdict rule: SingleSeed below kMinSeedsForAClaim seeds; otherwise
/// positive when gap > threshold, negative when gap < −threshold, else inconclusive.
VerdictLabel verdict_label_for(double gap, double threshold, int64_t seeds);

/// The label in run.json, presets and the run history: "positive",
/// "negative", "inconclusive", "single_seed".
std::string verdict_label_name(VerdictLabel label);

/// The label for people: "positive transfer", "negative transfer", "inconclusive", "single seed".
std::string verdict_label_title(VerdictLabel label);

/// Reads verdict_label_name's text back; nothing for any other text.
std::optional<VerdictLabel> verdict_label_from_name(const std::string& name);

}  // namespace tl
