#include "experiment/verdict_label.h"

namespace tl {

VerdictLabel verdict_label_for(double gap, double threshold, int64_t seeds) {
  if (!seeds_allow_a_claim(seeds)) return VerdictLabel::SingleSeed;
  if (gap > threshold) return VerdictLabel::Positive;
  if (gap < -threshold) return VerdictLabel::Negative;
  return VerdictLabel::Inconclusive;
}

std::string verdict_label_name(VerdictLabel label) {
  switch (label) {
    case VerdictLabel::Positive: return "positive";
    case VerdictLabel::Negative: return "negative";
    case VerdictLabel::Inconclusive: return "inconclusive";
    case VerdictLabel::SingleSeed: return "single_seed";
  }
  return "inconclusive";
}

std::string verdict_label_title(VerdictLabel label) {
  switch (label) {
    case VerdictLabel::Positive: return "positive transfer";
    case VerdictLabel::Negative: return "negative transfer";
    case VerdictLabel::Inconclusive: return "inconclusive";
    case VerdictLabel::SingleSeed: return "single seed";
  }
  return "inconclusive";
}

std::optional<VerdictLabel> verdict_label_from_name(const std::string& name) {
  for (VerdictLabel label :
       {VerdictLabel::Positive, VerdictLabel::Negative, VerdictLabel::Inconclusive, VerdictLabel::SingleSeed}) {
    if (verdict_label_name(label) == name) return label;
  }
  return std::nullopt;
}

}  // namespace tl
