#pragma once

// Torch-free, so the window's widgets can use the label as a type.

#include <optional>
#include <string>

namespace tl {

/// What a comparison over seeds says about the transfer (see judge_transfer).
enum class VerdictLabel { Positive, Negative, Inconclusive };

/// The label in run.json, presets and the run history: "positive",
/// "negative", "inconclusive".
std::string verdict_label_name(VerdictLabel label);

/// The label for people: "positive transfer", "negative transfer", "inconclusive".
std::string verdict_label_title(VerdictLabel label);

/// Reads verdict_label_name's text back; nothing for any other text.
std::optional<VerdictLabel> verdict_label_from_name(const std::string& name);

}  // namespace tl
