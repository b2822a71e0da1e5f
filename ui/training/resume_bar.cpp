#include "training/resume_bar.h"

#include "training/training_controller.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace tl {

ResumeBar::ResumeBar(TrainingController* controller, QWidget* parent)
    : QFrame(parent),
      controller_(controller),
      text_(new QLabel),
      resume_(new QPushButton(tr("&Resume run"))),
      dismiss_(new QPushButton(tr("Dismiss"))) {
  setFrameShape(QFrame::StyledPanel);
  setObjectName(QStringLiteral("resumeBar"));
  text_->setWordWrap(true);
  text_->setTextFormat(Qt::PlainText);
  resume_->setToolTip(tr("Continue the run from its last checkpoint (saved after every epoch and on pause)"));
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(text_, 1);
  layout->addWidget(resume_);
  layout->addWidget(dismiss_);
  connect(resume_, &QPushButton::clicked, this, &ResumeBar::resumeOffered);
  connect(dismiss_, &QPushButton::clicked, this, &ResumeBar::dismiss);
  // A new run replaces the one on offer.
  connect(controller_, &TrainingController::runStarted, this, [this] {
    if (!runDir_.isEmpty() && controller_->isBusy()) dismiss();
  });
  hide();
}

bool ResumeBar::offerUnfinishedRun() {
  runDir_ = controller_->unfinishedRunDir();
  if (runDir_.isEmpty()) {
    hide();
    return false;
  }
  text_->setText(tr("The last run (%1) stopped before its end.").arg(QDir::toNativeSeparators(runDir_)));
  show();
  return true;
}

void ResumeBar::resumeOffered() {
  const QString dir = runDir_;
  if (!controller_->resumeRun(dir)) {
    text_->setText(tr("The run in %1 cannot be resumed now (another run is training, or its checkpoint is gone).")
                       .arg(QDir::toNativeSeparators(dir)));
    return;
  }
  runDir_.clear();
  hide();
  Q_EMIT resumed(dir);
}

void ResumeBar::dismiss() {
  runDir_.clear();
  hide();
}

}  // namespace tl
