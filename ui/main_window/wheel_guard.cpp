#include "main_window/wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QScrollBar>
#include <QWheelEvent>
#include <QWidget>

namespace tl {
namespace {

QAbstractScrollArea* enclosingScrollArea(QWidget* widget) {
  for (QWidget* w = widget->parentWidget(); w; w = w->parentWidget()) {
    if (auto* area = qobject_cast<QAbstractScrollArea*>(w)) return area;
  }
  return nullptr;
}

// The same turn of the wheel, delivered to the scroll area's viewport.
void scrollInstead(QWidget* control, const QWheelEvent& wheel) {
  QAbstractScrollArea* area = enclosingScrollArea(control);
  if (!area) return;
  QWidget* viewport = area->viewport();
  QWheelEvent moved(viewport->mapFromGlobal(wheel.globalPosition()), wheel.globalPosition(), wheel.pixelDelta(),
                    wheel.angleDelta(), wheel.buttons(), wheel.modifiers(), wheel.phase(), wheel.inverted(),
                    wheel.source());
  QCoreApplication::sendEvent(viewport, &moved);
}

}  // namespace

WheelGuard::WheelGuard(QWidget* guarded) : QObject(guarded), guarded_(guarded) {
  for (QWidget* child : guarded->findChildren<QWidget*>()) {
    if (isWheelControl(child)) takeFocusByClickOnly(child);
  }
  QCoreApplication::instance()->installEventFilter(this);
}

bool WheelGuard::isWheelControl(const QWidget* widget) {
  // A scroll bar is a slider, but turning the wheel over it is scrolling.
  if (qobject_cast<const QScrollBar*>(widget)) return false;
  return qobject_cast<const QAbstractSpinBox*>(widget) || qobject_cast<const QComboBox*>(widget) ||
         qobject_cast<const QAbstractSlider*>(widget);
}

QWidget* WheelGuard::guardedControl(QWidget* widget) const {
  QWidget* control = nullptr;
  for (QWidget* w = widget; w; w = w->parentWidget()) {
    if (w == guarded_) return control;
    if (!control && isWheelControl(w)) control = w;
    if (w->isWindow()) return nullptr;  // a combo box's popup, a dialog: not part of the column
  }
  return nullptr;
}

void WheelGuard::takeFocusByClickOnly(QWidget* control) const {
  if ((control->focusPolicy() & Qt::WheelFocus) == Qt::WheelFocus) control->setFocusPolicy(Qt::StrongFocus);
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
  const QEvent::Type type = event->type();
  if ((type != QEvent::Wheel && type != QEvent::Polish) || !watched->isWidgetType() || !guarded_) return false;
  QWidget* control = guardedControl(static_cast<QWidget*>(watched));
  if (!control) return false;
  if (type == QEvent::Polish) {
    takeFocusByClickOnly(control);  // a control created after the guard
    return false;
  }
  if (control->hasFocus()) return false;
  scrollInstead(control, *static_cast<QWheelEvent*>(event));
  return true;
}

}  // namespace tl
