#pragma once

#include <QFrame>
#include <QString>

#include <functional>

class QLabel;
class QPushButton;

namespace tl {

class TrainingController;

/// A non-modal bar that offers to continue the last GUI run when it stopped
/// before its end (the window was closed, the program crashed, or Stop was
/// pressed): "Resume" continues it from its last checkpoint, "Dismiss" hides
/// the bar. Hidden while there is nothing to offer.
class ResumeBar : public QFrame {
  Q_OBJECT

 public:
  explicit ResumeBar(TrainingController* controller, QWidget* parent = nullptr);

  /// Shows the bar when the controller has an unfinished run; returns whether it does.
  bool offerUnfinishedRun();
  /// The run directory on offer; empty while hidden.
  QString offeredRunDir() const { return runDir_; }
  /// What the bar says: the run's name and the checkpoint it continues from.
  QString text() const;

  /// "“default” stopped before its end; its checkpoint after epoch 1 of 10 is
  /// kept." from the run directory's config.json and event log.
  static QString describeUnfinishedRun(const QString& runDir);

  /// Called with the run directory just before the run resumes: the window
  /// loads the run's own config into its session there, so the setup, the
  /// layer tree and the lesson describe the run that trains. Returning false
  /// (with a reason in *error) keeps the offer and shows the reason.
  using BeforeResume = std::function<bool(const QString& runDir, QString* error)>;
  void setBeforeResume(BeforeResume hook) { beforeResume_ = std::move(hook); }

  QPushButton* resumeButton() const { return resume_; }
  QPushButton* dismissButton() const { return dismiss_; }

 Q_SIGNALS:
  /// The run in `runDir` was resumed.
  void resumed(const QString& runDir);

 private:
  void resumeOffered();
  void dismiss();

  TrainingController* controller_;
  BeforeResume beforeResume_;
  QLabel* text_;
  QPushButton* resume_;
  QPushButton* dismiss_;
  QString runDir_;
};

}  // namespace tl
