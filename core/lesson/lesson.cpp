#include "lesson/lesson.h"

#include "experiment/experiment_config.h"
#include "experiment/json_fields.h"

#include <algorithm>

namespace tl {
namespace {

std::string indexed(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const nlohmann::json& list_at(const nlohmann::json& value, const std::string& path, const std::string& expected) {
  if (!value.is_array() || value.empty()) {
    throw ConfigError(path, "expected " + expected + ", got " + value.dump().substr(0, 40));
  }
  return value;
}

std::string text_at(const nlohmann::json& value, const std::string& path) {
  if (!value.is_string() || value.get<std::string>().empty()) {
    throw ConfigError(path, "expected a non-empty string, got " + value.dump().substr(0, 40));
  }
  return value.get<std::string>();
}

/// A list of part names, e.g. "lock": ["twin", "seeds"]; absent is empty.
std::vector<std::string> part_names(JsonFields& f, const nlohmann::json& step, const std::string& key) {
  f.accept(key);
  if (!step.contains(key)) return {};
  const std::string path = f.field(key);
  std::vector<std::string> names;
  const auto& list = list_at(step[key], path, "a list of window part names");
  for (size_t i = 0; i < list.size(); ++i) names.push_back(text_at(list[i], indexed(path, i)));
  return names;
}

LessonChoice parse_choice(const nlohmann::json& j, const std::string& path) {
  JsonFields f(j, path);
  LessonChoice choice;
  choice.text = f.string("text", "");
  if (choice.text.empty()) f.fail("text", "a non-empty string");
  const auto verdict = verdict_label_from_name(f.string("verdict", ""));
  if (!verdict || *verdict == VerdictLabel::SingleSeed) {
    f.fail("verdict", "\"positive\", \"negative\" or \"inconclusive\"");
  }
  choice.verdict = *verdict;
  f.finish();
  return choice;
}

LessonQuestion parse_question(const nlohmann::json& j, const std::string& path) {
  JsonFields f(j, path);
  LessonQuestion question;
  question.text = f.string("text", "");
  if (question.text.empty()) f.fail("text", "a non-empty string");
  f.accept("choices");
  const std::string choices_path = f.field("choices");
  static const nlohmann::json nothing;
  const auto& choices = list_at(j.contains("choices") ? j.at("choices") : nothing, choices_path,
                                "a list of at least two choices");
  if (choices.size() < 2) f.fail("choices", "a list of at least two choices");
  for (size_t i = 0; i < choices.size(); ++i) question.choices.push_back(parse_choice(choices[i], indexed(choices_path, i)));
  f.finish();
  return question;
}

LessonStep parse_step(const nlohmann::json& j, const std::string& path) {
  JsonFields f(j, path);
  LessonStep step;
  step.text = f.string("text", "");
  if (step.text.empty()) f.fail("text", "a non-empty string");
  step.target = f.string("target", "");
  step.lock = part_names(f, j, "lock");
  step.hide = part_names(f, j, "hide");
  f.accept("question");
  if (j.contains("question")) step.question = parse_question(j["question"], f.field("question"));
  step.reveal = f.string("reveal", "");
  f.finish();
  return step;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

std::vector<std::string> Lesson::parts() const {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const auto& step : steps) {
    add(step.target);
    for (const auto& name : step.lock) add(name);
    for (const auto& name : step.hide) add(name);
  }
  return names;
}

std::optional<size_t> Lesson::question_step_for(size_t step) const {
  for (size_t i = std::min(step + 1, steps.size()); i-- > 0;) {
    if (steps[i].question) return i;
  }
  return std::nullopt;
}

Lesson parse_lesson(const nlohmann::json& steps) {
  const auto& list = list_at(steps, "steps", "a non-empty list of steps");
  Lesson lesson;
  for (size_t i = 0; i < list.size(); ++i) lesson.steps.push_back(parse_step(list[i], indexed("steps", i)));
  return lesson;
}

Lesson lesson_from_preset_keys(const nlohmann::json& extra) {
  const bool has_text = extra.contains("lesson");
  if (has_text && !extra["lesson"].is_string()) throw ConfigError("lesson", "expected a string");
  if (extra.contains("steps")) {
    if (has_text) throw ConfigError("lesson", "give either \"lesson\" (one text) or \"steps\", not both");
    return parse_lesson(extra["steps"]);
  }
  Lesson lesson;
  if (has_text && !extra["lesson"].get<std::string>().empty()) {
    lesson.steps.push_back(LessonStep{extra["lesson"].get<std::string>(), "", {}, {}, std::nullopt, ""});
  }
  return lesson;
}

void check_lesson_targets(const Lesson& lesson, const std::vector<std::string>& known_parts) {
  const auto check = [&](const std::string& name, const std::string& path) {
    if (name.empty() || std::find(known_parts.begin(), known_parts.end(), name) != known_parts.end()) return;
    throw ConfigError(path, "no part named \"" + name + "\" (parts: " + joined(known_parts) + ")");
  };
  for (size_t i = 0; i < lesson.steps.size(); ++i) {
    const LessonStep& step = lesson.steps[i];
    const std::string path = indexed("steps", i);
    check(step.target, path + ".target");
    for (size_t k = 0; k < step.lock.size(); ++k) check(step.lock[k], indexed(path + ".lock", k));
    for (size_t k = 0; k < step.hide.size(); ++k) check(step.hide[k], indexed(path + ".hide", k));
  }
}

std::string answer_feedback(const LessonQuestion& question, size_t chosen, VerdictLabel measured) {
  const std::string answered = "You answered \"" + question.choices.at(chosen).text + "\"";
  if (measured == VerdictLabel::SingleSeed) {
    return answered + "; a single seed cannot settle it: train over " + std::to_string(kSuggestedSeeds) +
           " seeds with the twin to compare.";
  }
  const bool expected = question.choices[chosen].verdict == measured;
  return answered + "; the run measured " + verdict_label_title(measured) + ": " +
         (expected ? "as you expected." : "not what you expected.");
}

}  // namespace tl
