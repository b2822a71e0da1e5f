#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace tl {

class BackgroundTask;

/// A BackgroundTask's progress and its Cancel, the same in every panel:
/// hidden while the task is idle; while it runs, a bar (busy until the work
/// reports a fraction) with a Cancel button, and the work's text below it.
/// Cancel, or Esc pressed inside the scope given to cancelOnEscapeIn(),
/// cancels the task.
class TaskProgressBar : public QWidget {
  Q_OBJECT

 public:
  explicit TaskProgressBar(BackgroundTask* task, QWidget* parent = nullptr);

  /// Esc pressed while the keyboard focus is inside `scope` (a panel, a
  /// dialog) cancels the running task. Window shortcuts come first: while
  /// training runs, Esc is the window's Stop.
  void cancelOnEscapeIn(QWidget* scope);

  QProgressBar* bar() const { return bar_; }
  QPushButton* cancelButton() const { return cancel_; }
  /// The work's latest text ("Decoding 12 / 40 images"); empty when it gave none.
  QString text() const;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void showStarted();
  void showProgress(double fraction, const QString& text);

  BackgroundTask* task_;
  QProgressBar* bar_;
  QPushButton* cancel_;
  QLabel* text_;
};

}  // namespace tl
