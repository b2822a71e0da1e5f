#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace tl {

class ExperimentSession;
struct LessonInfo;

/// A note over the curves saying what the loaded teaching preset shows: its
/// name, the lesson, and what its own measured runs gave ("Measured: …").
/// It follows whole-config loads only: shown for a preset with a lesson or a
/// measured outcome, hidden for one without; edits to the config leave it as
/// it is, and once closed it stays closed until the next load.
class LessonPanel : public QFrame {
  Q_OBJECT

 public:
  explicit LessonPanel(ExperimentSession* session, QWidget* parent = nullptr);

  /// The panel's text as shown (plain text, for tests and screen readers).
  QString text() const { return plainText_; }
  QToolButton* closeButton() const { return close_; }

 private:
  void showLesson(const LessonInfo& lesson);

  ExperimentSession* session_;
  QLabel* text_;
  QToolButton* close_;
  QString plainText_;  ///< what text_ shows, without markup
};

}  // namespace tl
