#include "main_window/wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QScrollBar>
#include <QTabBar>
#include <QTabWidget>
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

// The page a tab bar opens, when that page scrolls.
QAbstractScrollArea* openPage(QTabBar* bar) {
  auto* tabs = qobject_cast<QTabWidget*>(bar->parentWidget());
  return tabs ? qobject_cast<QAbstractScrollArea*>(tabs->currentWidget()) : nullptr;
}

// The same turn of the wheel, delivered to the scroll area's viewport.
void scrollInstead(QAbstractScrollArea* area, const QWheelEvent& wheel) {
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
  return firstGuarded(widget, [](const QWidget* w) { return isWheelControl(w); });
}

QTabBar* WheelGuard::guardedTabBar(QWidget* widget) const {
  return qobject_cast<QTabBar*>(firstGuarded(widget, [](const QWidget* w) { return qobject_cast<const QTabBar*>(w); }));
}

QWidget* WheelGuard::firstGuarded(QWidget* widget, const std::function<bool(const QWidget*)>& matches) const {
  QWidget* found = nullptr;
  for (QWidget* w = widget; w; w = w->parentWidget()) {
    if (w == guarded_) return found;
    if (!found && matches(w)) found = w;
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
  auto* widget = static_cast<QWidget*>(watched);
  // Turning the wheel over the step tabs would switch steps under the
  // pointer: it scrolls the open step instead (Ctrl+Tab and clicks still switch).
  if (type == QEvent::Wheel) {
    if (QTabBar* bar = guardedTabBar(widget)) {
      scrollInstead(openPage(bar), *static_cast<QWheelEvent*>(event));
      return true;
    }
  }
  QWidget* control = guardedControl(widget);
  if (!control) return false;
  if (type == QEvent::Polish) {
    takeFocusByClickOnly(control);  // a control created after the guard
    return false;
  }
  if (control->hasFocus()) return false;
  scrollInstead(enclosingScrollArea(control), *static_cast<QWheelEvent*>(event));
  return true;
}

}  // namespace tl
