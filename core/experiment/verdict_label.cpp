#include "experiment/verdict_label.h"

namespace tl {

std::string verdict_label_name(VerdictLabel label) {
  switch (label) {
    case VerdictLabel::Positive: return "positive";
    case VerdictLabel::Negative: return "negative";
    case VerdictLabel::Inconclusive: return "inconclusive";
  }
  return "inconclusive";
}

std::string verdict_label_title(VerdictLabel label) {
  return label == VerdictLabel::Inconclusive ? "inconclusive" : verdict_label_name(label) + " transfer";
}

std::optional<VerdictLabel> verdict_label_from_name(const std::string& name) {
  for (VerdictLabel label : {VerdictLabel::Positive, VerdictLabel::Negative, VerdictLabel::Inconclusive}) {
    if (verdict_label_name(label) == name) return label;
  }
  return std::nullopt;
}

}  // namespace tl
