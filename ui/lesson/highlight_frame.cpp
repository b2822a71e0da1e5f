#include "lesson/highlight_frame.h"

#include "style/palette.h"

#include <QEvent>
#include <QPainter>

namespace tl {

HighlightFrame::HighlightFrame(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("lessonHighlight"));
  setAttribute(Qt::WA_TransparentForMouseEvents);
  setAttribute(Qt::WA_NoSystemBackground);
  setFocusPolicy(Qt::NoFocus);
  hide();
}

void HighlightFrame::setTarget(QWidget* target) {
  watch(false);
  target_ = target;
  if (!target_) {
    hide();
    return;
  }
  setParent(target_->window());  // over everything the target is drawn in
  watch(true);
  follow();
}

void HighlightFrame::watch(bool on) {
  for (const auto& widget : watched_) {
    if (widget) widget->removeEventFilter(this);
  }
  watched_.clear();
  if (!on) return;
  for (QWidget* w = target_; w && w != target_->window(); w = w->parentWidget()) {
    w->installEventFilter(this);
    watched_ << w;
  }
}

void HighlightFrame::follow() {
  if (!target_ || !target_->isVisible() || !parentWidget()) {
    hide();
    return;
  }
  const QPoint topLeft = target_->mapTo(parentWidget(), QPoint(0, 0));
  const QRect around = QRect(topLeft, target_->size()).adjusted(-kWidth / 2, -kWidth / 2, kWidth / 2, kWidth / 2);
  setGeometry(around.intersected(parentWidget()->rect()));
  show();
  raise();
}

bool HighlightFrame::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::Move:
    case QEvent::Resize:
    case QEvent::Show:
    case QEvent::Hide:
    case QEvent::ParentChange:
      follow();
      break;
    default:
      break;
  }
  return QWidget::eventFilter(watched, event);
}

void HighlightFrame::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  QPen pen(style::okabe_ito::kOrange, kWidth);
  pen.setJoinStyle(Qt::MiterJoin);
  painter.setPen(pen);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(QRectF(rect()).adjusted(kWidth / 2.0, kWidth / 2.0, -kWidth / 2.0, -kWidth / 2.0));
}

}  // namespace tl
