#include "support/config_error.h"
#include "experiment/experiment_config.h"
#include "experiment/presets.h"
#include "lesson/lesson.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace tl {
namespace {

using nlohmann::json;
using test::config_error_of;

const json kQuestion = {{"text", "Will the frozen features help?"},
                        {"choices",
                         {{{"text", "yes"}, {"verdict", "positive"}},
                          {{"text", "no"}, {"verdict", "negative"}},
                          {{"text", "can't tell"}, {"verdict", "inconclusive"}}}}};

json twoSteps() {
  return json::array({{{"text", "Look at the tree."}, {"target", "layer_tree"}, {"lock", {"twin", "seeds"}},
                       {"hide", {"mitigations"}}},
                      {{"text", "Train it."}, {"question", kQuestion}, {"reveal", "Transfer won."}}});
}

std::string lesson_error(const json& steps) {
  return config_error_of([&] { parse_lesson(steps); });
}

TEST(Lesson, ParsesEveryFieldOfAStep) {
  const Lesson lesson = parse_lesson(twoSteps());
  ASSERT_EQ(lesson.steps.size(), 2u);
  const LessonStep& first = lesson.steps[0];
  EXPECT_EQ(first.text, "Look at the tree.");
  EXPECT_EQ(first.target, "layer_tree");
  EXPECT_EQ(first.lock, (std::vector<std::string>{"twin", "seeds"}));
  EXPECT_EQ(first.hide, (std::vector<std::string>{"mitigations"}));
  EXPECT_FALSE(first.question.has_value());
  EXPECT_TRUE(first.reveal.empty());

  const LessonStep& second = lesson.steps[1];
  ASSERT_TRUE(second.question.has_value());
  EXPECT_EQ(second.question->text, "Will the frozen features help?");
  ASSERT_EQ(second.question->choices.size(), 3u);
  EXPECT_EQ(second.question->choices[0].verdict, VerdictLabel::Positive);
  EXPECT_EQ(second.question->choices[1].verdict, VerdictLabel::Negative);
  EXPECT_EQ(second.question->choices[2].text, "can't tell");
  EXPECT_EQ(second.question->choices[2].verdict, VerdictLabel::Inconclusive);
  EXPECT_EQ(second.reveal, "Transfer won.");
  EXPECT_EQ(lesson.parts(), (std::vector<std::string>{"layer_tree", "twin", "seeds", "mitigations"}));
}

TEST(Lesson, UnknownFieldsAreNamedWithTheirPath) {
  json steps = twoSteps();
  steps[1]["hint"] = "x";
  EXPECT_EQ(lesson_error(steps).rfind("steps[1].hint: unknown field", 0), 0u) << lesson_error(steps);
  steps = twoSteps();
  steps[1]["question"]["choices"][2]["colour"] = "red";
  EXPECT_EQ(lesson_error(steps).rfind("steps[1].question.choices[2].colour: unknown field", 0), 0u)
      << lesson_error(steps);
}

TEST(Lesson, BadTypesAreNamedWithTheirPath) {
  json steps = twoSteps();
  steps[0]["lock"][1] = 3;
  EXPECT_EQ(lesson_error(steps), "steps[0].lock[1]: expected a non-empty string, got 3");
  steps = twoSteps();
  steps[0]["hide"] = "mitigations";
  EXPECT_EQ(lesson_error(steps), "steps[0].hide: expected a list of window part names, got \"mitigations\"");
  steps = twoSteps();
  steps[0]["text"] = "";
  EXPECT_EQ(lesson_error(steps), "steps[0].text: expected a non-empty string, got \"\"");
  steps = twoSteps();
  steps[1]["question"]["choices"][0]["verdict"] = "single_seed";
  EXPECT_EQ(lesson_error(steps), "steps[1].question.choices[0].verdict: expected \"positive\", \"negative\" or "
                                 "\"inconclusive\", got \"single_seed\"");
  steps = twoSteps();
  steps[1]["question"]["choices"] = json::array({{{"text", "yes"}, {"verdict", "positive"}}});
  EXPECT_EQ(lesson_error(steps).rfind("steps[1].question.choices: expected a list of at least two choices", 0), 0u)
      << lesson_error(steps);
  EXPECT_EQ(lesson_error(json::array()), "steps: expected a non-empty list of steps, got []");
  EXPECT_EQ(lesson_error(json::array({"text"})), "steps[0]: expected an object, got \"text\"");
}

TEST(Lesson, APlainLessonStringIsAOneStepLesson) {
  const Lesson lesson = lesson_from_preset_keys({{"lesson", "Frozen features carry over."}});
  ASSERT_EQ(lesson.steps.size(), 1u);
  EXPECT_EQ(lesson.steps[0].text, "Frozen features carry over.");
  EXPECT_TRUE(lesson.steps[0].target.empty());
  EXPECT_FALSE(lesson.steps[0].question.has_value());
  EXPECT_TRUE(lesson_from_preset_keys(json::object()).empty());
  EXPECT_EQ(lesson_from_preset_keys({{"steps", twoSteps()}}).steps.size(), 2u);
  EXPECT_EQ(config_error_of([] { lesson_from_preset_keys({{"lesson", 3}}); }), "lesson: expected a string");
  EXPECT_EQ(config_error_of([] { lesson_from_preset_keys({{"lesson", "x"}, {"steps", twoSteps()}}); }),
            "lesson: give either \"lesson\" (one text) or \"steps\", not both");
}

TEST(Lesson, TargetsAreCheckedAgainstTheKnownParts) {
  const Lesson lesson = parse_lesson(twoSteps());
  EXPECT_EQ(config_error_of([&] { check_lesson_targets(lesson, {"layer_tree", "twin", "seeds", "mitigations"}); }),
            "no error");
  EXPECT_EQ(config_error_of([&] { check_lesson_targets(lesson, {"layer_tree", "twin", "mitigations"}); }),
            "steps[0].lock[1]: no part named \"seeds\" (parts: layer_tree, twin, mitigations)");
  EXPECT_EQ(config_error_of([&] { check_lesson_targets(lesson, {"twin", "seeds"}); }),
            "steps[0].target: no part named \"layer_tree\" (parts: twin, seeds)");
}

TEST(Lesson, TheRevealAnswersTheNearestQuestionUpToItsStep) {
  json steps = twoSteps();
  steps.push_back({{"text", "Result."}, {"reveal", "See?"}});
  const Lesson lesson = parse_lesson(steps);
  EXPECT_FALSE(lesson.question_step_for(0).has_value());
  EXPECT_EQ(lesson.question_step_for(1), std::optional<size_t>(1));
  EXPECT_EQ(lesson.question_step_for(2), std::optional<size_t>(1));
}

TEST(Lesson, FeedbackComparesTheAnswerWithTheMeasuredVerdict) {
  const LessonQuestion question = *parse_lesson(twoSteps()).steps[1].question;
  EXPECT_EQ(answer_feedback(question, 0, VerdictLabel::Positive),
            "You answered \"yes\"; the run measured positive transfer: as you expected.");
  EXPECT_EQ(answer_feedback(question, 1, VerdictLabel::Positive),
            "You answered \"no\"; the run measured positive transfer: not what you expected.");
  EXPECT_EQ(answer_feedback(question, 2, VerdictLabel::Inconclusive),
            "You answered \"can't tell\"; the run measured inconclusive: as you expected.");
  EXPECT_EQ(answer_feedback(question, 0, VerdictLabel::SingleSeed),
            "You answered \"yes\"; a single seed cannot settle it: train over 3 seeds with the twin to compare.");
}

/// The README's example lesson, between the "Writing a lesson" heading and the next heading.
std::string readme_example() {
  std::ifstream in(std::string(TL_TEST_DATA_DIR) + "/../../README.md");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t section = text.find("## Writing a lesson");
  if (section == std::string::npos) return "";
  const size_t start = text.find("```json\n", section);
  const size_t end = text.find("\n```", start + 8);
  if (start == std::string::npos || end == std::string::npos) return "";
  return text.substr(start + 8, end - start - 8);
}

TEST(Lesson, TheReadmeExampleIsACompleteLesson) {
  const std::string example = readme_example();
  ASSERT_FALSE(example.empty()) << "README.md has no ```json block under \"## Writing a lesson\"";
  const ExperimentConfig config = config_from_json(json::parse(example));
  const Lesson lesson = lesson_from_preset_keys(config.extra);
  ASSERT_GE(lesson.steps.size(), 2u);
  const auto has = [&](auto field) {
    return std::any_of(lesson.steps.begin(), lesson.steps.end(), field);
  };
  EXPECT_TRUE(has([](const LessonStep& s) { return !s.target.empty(); }));
  EXPECT_TRUE(has([](const LessonStep& s) { return !s.lock.empty(); }));
  EXPECT_TRUE(has([](const LessonStep& s) { return !s.hide.empty(); }));
  EXPECT_TRUE(has([](const LessonStep& s) { return s.question.has_value(); }));
  EXPECT_TRUE(has([](const LessonStep& s) { return !s.reveal.empty(); }));
}

}  // namespace
}  // namespace tl
