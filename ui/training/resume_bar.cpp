#include "training/resume_bar.h"

#include "training/training_controller.h"

#include "experiment/run_resume.h"
#include "train/training_checkpoint.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
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
  text_->setText(describeUnfinishedRun(runDir_));
  setToolTip(QDir::toNativeSeparators(runDir_));
  show();
  return true;
}

QString ResumeBar::text() const { return text_->text(); }

QString ResumeBar::describeUnfinishedRun(const QString& runDir) {
  QFile file(QString::fromStdString(run_config_path(runDir.toStdString())));
  QJsonObject config;
  if (file.open(QIODevice::ReadOnly)) config = QJsonDocument::fromJson(file.readAll()).object();
  const QString name = config.value(QStringLiteral("name")).toString(QDir(runDir).dirName());
  const int epochs = config.value(QStringLiteral("training")).toObject().value(QStringLiteral("epochs")).toInt();
  // The last "checkpoint" event says which one is on disk: "after epoch 2",
  // "paused in epoch 3 after batch 7".
  QString checkpoint;
  for (const RunEvent& e : read_run_events(runDir.toStdString())) {
    if (e.kind == RunEventKind::Checkpoint) checkpoint = QString::fromStdString(e.details);
  }
  if (checkpoint.isEmpty()) return tr("The last run, \u201c%1\u201d, stopped before its end.").arg(name);
  const QString of = epochs > 0 ? tr(" of %1").arg(epochs) : QString();
  return tr("The last run, \u201c%1\u201d, stopped before its end; it continues from its checkpoint %2%3.")
      .arg(name, checkpoint, of);
}

void ResumeBar::resumeOffered() {
  const QString dir = runDir_;
  QString error;
  if (beforeResume_ && !beforeResume_(dir, &error)) {
    text_->setText(tr("The run in %1 cannot be resumed: %2").arg(QDir::toNativeSeparators(dir), error));
    return;
  }
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
