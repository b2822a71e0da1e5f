#pragma once

#include <QAbstractItemView>
#include <QObject>

namespace tl {

/// Makes an item view read-only while locked, yet still scrollable and
/// readable: it swallows the clicks, keys and context menus that would edit,
/// instead of disabling the view (which would grey every row and hide which
/// layers are frozen, exactly what one watches during training).
class EditLock : public QObject {
  Q_OBJECT

 public:
  explicit EditLock(QAbstractItemView* view);

  void setLocked(bool locked);
  bool isLocked() const { return locked_; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QAbstractItemView* view_;
  bool locked_ = false;
  QAbstractItemView::EditTriggers editTriggers_;
};

}  // namespace tl
