#include "tasks/task_progress_bar.h"

#include "tasks/background_task.h"

#include <QEvent>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <algorithm>

namespace tl {
namespace {

constexpr int kSteps = 1000;  ///< the bar's range for a fraction

}  // namespace

TaskProgressBar::TaskProgressBar(BackgroundTask* task, QWidget* parent)
    : QWidget(parent), task_(task), bar_(new QProgressBar(this)), cancel_(new QPushButton(tr("Cancel"), this)),
      text_(new QLabel(this)) {
  bar_->setTextVisible(false);  // the text goes below: a busy bar shows none
  cancel_->setToolTip(tr("Stop this and discard what it has done so far (Esc)"));
  text_->setWordWrap(true);
  text_->hide();
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(bar_, 0, 0);
  layout->addWidget(cancel_, 0, 1);
  layout->addWidget(text_, 1, 0, 1, 2);
  layout->setColumnStretch(0, 1);
  hide();
  connect(cancel_, &QPushButton::clicked, task_, &BackgroundTask::cancel);
  connect(task_, &BackgroundTask::started, this, &TaskProgressBar::showStarted);
  connect(task_, &BackgroundTask::progress, this, &TaskProgressBar::showProgress);
  connect(task_, &BackgroundTask::finished, this, &QWidget::hide);
  connect(task_, &BackgroundTask::failed, this, &QWidget::hide);
  connect(task_, &BackgroundTask::cancelled, this, &QWidget::hide);
}

void TaskProgressBar::cancelOnEscapeIn(QWidget* scope) { scope->installEventFilter(this); }

QString TaskProgressBar::text() const { return text_->text(); }

void TaskProgressBar::showStarted() {
  showProgress(-1.0, QString());
  show();
}

void TaskProgressBar::showProgress(double fraction, const QString& text) {
  if (fraction < 0) {
    bar_->setRange(0, 0);
  } else {
    bar_->setRange(0, kSteps);
    bar_->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kSteps));
  }
  text_->setText(text);
  text_->setVisible(!text.isEmpty());
}

// Key presses the focused widget ignores travel up to its parents, so Esc
// reaches the scope from anywhere inside it.
bool TaskProgressBar::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::KeyPress && task_->isRunning()) {
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier) {
      task_->cancel();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace tl
