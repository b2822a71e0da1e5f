#pragma once

#include <QStyledItemDelegate>

namespace tl {

/// The layer tree's Drift column: the number as usual, over a faint bar whose
/// length is the layer's drift relative to the layer that moved most, so the
/// layers that changed stand out while training runs.
class DriftBarDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace tl
