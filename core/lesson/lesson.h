#pragma once

// A guided lesson: the steps a class walks through one experiment. Torch-free
// (JSON and the verdict label only), so the window's widgets use it as data.
// The format is documented in the README ("Writing a lesson").

#include "experiment/verdict_label.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// One answer to a lesson's question, and the verdict it predicts.
struct LessonChoice {
  std::string text;  ///< "yes"
  VerdictLabel verdict = VerdictLabel::Inconclusive;  ///< what "yes" means: positive transfer
};

/// Asked before the run: "Will the frozen features help here?".
struct LessonQuestion {
  std::string text;
  std::vector<LessonChoice> choices;  ///< at least two
};

struct LessonStep {
  std::string text;                        ///< a sentence or two, plain text
  std::string target;                      ///< the window part to highlight; "" for none
  std::vector<std::string> lock;           ///< window parts disabled during this step
  std::vector<std::string> hide;           ///< window parts hidden during this step
  std::optional<LessonQuestion> question;  ///< the step waits for an answer
  std::string reveal;                      ///< shown once the run's comparison ends; the step waits for it
};

struct Lesson {
  std::vector<LessonStep> steps;

  bool empty() const { return steps.empty(); }
  /// Every window part the steps name (targets, locks, hides), each once, in order of appearance.
  std::vector<std::string> parts() const;
  /// The question a step's reveal answers: the step's own, else the nearest
  /// one before it; nothing when no step up to `step` asks one.
  std::optional<size_t> question_step_for(size_t step) const;
};

/// Parses a "steps" list. Throws ConfigError naming the field
/// ("steps[2].lock[0]: expected a string, got 3") and any unknown field.
Lesson parse_lesson(const nlohmann::json& steps);

/// The lesson of a preset's extra keys: its "steps", or its plain "lesson"
/// string as a one-step lesson, or none. Both at once is an error.
Lesson lesson_from_preset_keys(const nlohmann::json& extra);

/// Throws ConfigError naming the first step field that names a part not in
/// `known_parts`: "steps[1].target: no part named \"foo\" (parts: curves, ...)".
void check_lesson_targets(const Lesson& lesson, const std::vector<std::string>& known_parts);

/// How the run's verdict compares with the answer given:
/// "You answered "yes"; the run measured positive transfer: as you expected."
std::string answer_feedback(const LessonQuestion& question, size_t chosen, VerdictLabel measured);

}  // namespace tl
