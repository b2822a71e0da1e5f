#include "lesson/step_effects.h"

#include <QEvent>
#include <QTabWidget>

#include <algorithm>

namespace tl {
namespace {

int tabIndex(const WindowPart& part) { return part.tabs && part.widget ? part.tabs->indexOf(part.widget) : -1; }

}  // namespace

bool StepEffects::isFree(QWidget* widget, Hold hold) {
  // The widget's own setting, not what its parents impose.
  return hold == Hold::Disabled ? !widget->testAttribute(Qt::WA_ForceDisabled) : !widget->isHidden();
}

void StepEffects::setFree(QWidget* widget, Hold hold, bool free) {
  if (hold == Hold::Disabled) widget->setEnabled(free);
  else widget->setVisible(free);
}

void StepEffects::holdWidget(QWidget* widget, Hold hold) {
  const bool already = std::any_of(held_.begin(), held_.end(),
                                   [&](const Held& h) { return h.widget == widget && h.hold == hold; });
  if (!widget || already || !isFree(widget, hold)) return;  // the owner's own state is not the lesson's to undo
  setFree(widget, hold, false);
  held_.push_back(Held{widget, hold});
  widget->installEventFilter(this);
}

bool StepEffects::isTabFree(QTabWidget* tabs, int index, Hold hold) {
  return hold == Hold::Disabled ? tabs->isTabEnabled(index) : tabs->isTabVisible(index);
}

void StepEffects::setTabFree(QTabWidget* tabs, int index, Hold hold, bool free) {
  if (hold == Hold::Disabled) tabs->setTabEnabled(index, free);
  else tabs->setTabVisible(index, free);
}

void StepEffects::holdPart(const WindowPart& part, Hold hold) {
  const int index = tabIndex(part);
  if (index < 0) {
    holdWidget(part.widget, hold);
    return;
  }
  if (!isTabFree(part.tabs, index, hold)) return;
  setTabFree(part.tabs, index, hold, false);
  tabUndo_.push_back([tabs = part.tabs, page = part.widget, hold] {
    if (tabs && page && tabs->indexOf(page) >= 0) setTabFree(tabs, tabs->indexOf(page), hold, true);
  });
}

void StepEffects::lock(const WindowPart& part) { holdPart(part, Hold::Disabled); }

void StepEffects::hide(const WindowPart& part) { holdPart(part, Hold::Hidden); }

void StepEffects::undo() {
  std::vector<Held> held;
  held.swap(held_);  // before setFree: its events must not be taken for the owner's
  for (const Held& h : held) {
    if (!h.widget) continue;
    h.widget->removeEventFilter(this);
    setFree(h.widget, h.hold, true);
  }
  std::vector<std::function<void()>> tabUndo;
  tabUndo.swap(tabUndo_);
  for (const auto& restore : tabUndo) restore();
  if (!held.empty() || !tabUndo.empty()) Q_EMIT undone();
}

// An owner enabling or showing a held widget: held again, so the step's lock stands.
bool StepEffects::eventFilter(QObject* watched, QEvent* event) {
  const QEvent::Type type = event->type();
  if (type == QEvent::EnabledChange || type == QEvent::ShowToParent) {
    for (Held& h : held_) {
      if (h.widget != watched) continue;
      const bool relevant = (type == QEvent::EnabledChange) == (h.hold == Hold::Disabled);
      if (relevant && isFree(h.widget, h.hold)) setFree(h.widget, h.hold, false);
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace tl
