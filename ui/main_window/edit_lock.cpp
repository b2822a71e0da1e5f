#include "main_window/edit_lock.h"

#include <QAbstractItemView>
#include <QEvent>
#include <QKeyEvent>

namespace tl {
namespace {

/// Keys that only move or scroll; everything else may edit (Space toggles, F2 edits).
bool is_navigation_key(int key) {
  switch (key) {
    case Qt::Key_Up: case Qt::Key_Down: case Qt::Key_Left: case Qt::Key_Right:
    case Qt::Key_PageUp: case Qt::Key_PageDown: case Qt::Key_Home: case Qt::Key_End:
    case Qt::Key_Tab: case Qt::Key_Backtab:
      return true;
    default:
      return false;
  }
}

bool is_editing_event(QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::ContextMenu:
      return true;
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
      const auto* key = static_cast<QKeyEvent*>(event);
      // Window shortcuts (Esc = Stop, Ctrl+P = Pause) must still reach the window.
      return key->modifiers() == Qt::NoModifier && key->key() != Qt::Key_Escape && !is_navigation_key(key->key());
    }
    default:
      return false;
  }
}

}  // namespace

EditLock::EditLock(QAbstractItemView* view) : QObject(view), view_(view) {
  view_->installEventFilter(this);
  view_->viewport()->installEventFilter(this);
}

void EditLock::setLocked(bool locked) {
  if (locked == locked_) return;
  locked_ = locked;
  // Edit triggers too: an editor could otherwise open from a queued double click.
  if (locked_) {
    editTriggers_ = view_->editTriggers();
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  } else {
    view_->setEditTriggers(editTriggers_);
  }
  view_->setToolTip(locked_ ? tr("Layers can be edited again when training has ended") : QString());
}

bool EditLock::eventFilter(QObject* watched, QEvent* event) {
  if (locked_ && is_editing_event(event)) return true;
  return QObject::eventFilter(watched, event);
}

}  // namespace tl
