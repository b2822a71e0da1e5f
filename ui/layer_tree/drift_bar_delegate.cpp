#include "layer_tree/drift_bar_delegate.h"

#include "layer_tree/layer_tree_model.h"

#include <QPainter>

#include <algorithm>

namespace tl {

void DriftBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const QVariant fraction = index.data(LayerTreeModel::DriftFractionRole);
  const bool blank = index.data(Qt::DisplayRole).toString().isEmpty();
  if (fraction.isValid() && !blank) {
    // Drawn first, then the default painting puts the text (and selection) over it.
    const QRect cell = option.rect.adjusted(2, 3, -2, -3);
    const int width = static_cast<int>(std::clamp(fraction.toDouble(), 0.0, 1.0) * cell.width());
    painter->fillRect(QRect(cell.left(), cell.top(), width, cell.height()), QColor(255, 140, 0, 70));
  }
  QStyledItemDelegate::paint(painter, option, index);
}

}  // namespace tl
