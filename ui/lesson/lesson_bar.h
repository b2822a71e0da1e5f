#pragma once

#include "lesson/lesson.h"

#include <QFrame>
#include <QList>
#include <QString>

#include <map>
#include <optional>

class QButtonGroup;
class QLabel;
class QPushButton;
class QScrollArea;

namespace tl {

class HighlightFrame;
class StepEffects;
class WindowParts;
struct LessonInfo;
struct VerdictSummary;

/// A guided lesson over the curves: its name and "step 2 of 6", the step's
/// text (at most kBodyLines lines high, the rest scrolls), the step's question
/// as a row of answers, and once the run's comparison has ended the step's
/// reveal with how it compares with the answer given and what the preset's
/// own runs measured (on the last step when no step reveals). Back / Next (Alt+Left / Alt+Right) / Restart / Leave.
///
/// A step highlights its target part and locks or hides the parts it names;
/// all of that is undone when the step changes, on Restart and on Leave. Next
/// waits for an answer to a step's question, and for the run on a step with a
/// reveal. Answers are kept while the lesson runs (Back shows the one given);
/// Restart clears them. The window's own controls stay usable unless a step
/// locks them.
class LessonBar : public QFrame {
  Q_OBJECT

 public:
  static constexpr int kBodyLines = 4;

  explicit LessonBar(const WindowParts* parts, QWidget* parent = nullptr);

  /// Starts the lesson at its first step (none for an empty one). False,
  /// nothing started and the reason in `error` when a step names a part the
  /// window does not have.
  bool start(const LessonInfo& info, QString* error = nullptr);
  bool isRunning() const { return !lesson_.empty(); }
  int step() const { return step_; }
  int stepCount() const { return static_cast<int>(lesson_.steps.size()); }
  /// The answer chosen at a question's step (an index into its choices).
  std::optional<size_t> answer(int step) const;
  /// Moves forward to `step` as a class would, answering each question on
  /// the way with the choice whose text is `answer`. Stops early at a step
  /// that waits (a question without such a choice, a reveal before the run);
  /// returns the step reached.
  int advanceTo(int step, const QString& answer);
  /// What the bar shows, as plain text (for tests and screen readers).
  QString text() const;
  /// The part the current step highlights; null when none.
  QWidget* highlighted() const;

  QPushButton* backButton() const { return back_; }
  QPushButton* nextButton() const { return next_; }
  QPushButton* restartButton() const { return restart_; }
  QPushButton* leaveButton() const { return leave_; }
  QList<QPushButton*> choiceButtons() const { return choices_; }
  StepEffects* effects() const { return effects_; }

 public Q_SLOTS:
  void next();
  void back();
  void restart();
  /// Ends the lesson: the bar hides and every lock, hide and highlight is undone.
  void leave();
  /// A comparison ended: what the reveal compares the answer with.
  void showVerdict(const tl::VerdictSummary& summary);

 Q_SIGNALS:
  void left();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void buildButtons();
  void enterStep(int step);
  void applyStep(const LessonStep& step);
  void showChoices(const LessonStep& step);
  void choose(int index);
  void refresh();
  QString bodyHtml() const;
  QString resultHtml() const;
  bool stepIsDone() const;
  void fitBodyHeight();

  const WindowParts* parts_;
  Lesson lesson_;
  QString name_;
  QString measured_;  ///< "Measured: …", "" when the preset has no measured outcome
  int step_ = 0;
  std::map<int, size_t> answers_;  ///< question step → chosen answer
  std::optional<VerdictLabel> verdict_;  ///< of the last comparison since the lesson (re)started

  QLabel* title_;
  QLabel* body_;
  QScrollArea* bodyArea_;
  QWidget* choiceRow_;
  QButtonGroup* choiceGroup_;
  QList<QPushButton*> choices_;
  QPushButton* back_;
  QPushButton* next_;
  QPushButton* restart_;
  QPushButton* leave_;
  HighlightFrame* highlight_;
  StepEffects* effects_;
};

}  // namespace tl
