#include "layer_tree/lr_multiplier_delegate.h"

#include "layer_tree/layer_tree_model.h"

#include <QDoubleSpinBox>

namespace tl {

QWidget* LrMultiplierDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                            const QModelIndex& index) const {
  if (index.column() != LayerTreeModel::LrColumn) return QStyledItemDelegate::createEditor(parent, option, index);
  auto* spin = new QDoubleSpinBox(parent);
  spin->setRange(0.0, 100.0);
  spin->setDecimals(3);
  spin->setSingleStep(0.1);
  spin->setPrefix(QStringLiteral("×"));
  spin->setFrame(false);
  spin->setToolTip(tr("0 keeps the layer fixed though it stays in the optimizer; 1 = the base learning rate"));
  return spin;
}

void LrMultiplierDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
    spin->setValue(index.data(Qt::EditRole).toDouble());
    return;
  }
  QStyledItemDelegate::setEditorData(editor, index);
}

void LrMultiplierDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const {
  if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
    spin->interpretText();
    model->setData(index, spin->value(), Qt::EditRole);
    return;
  }
  QStyledItemDelegate::setModelData(editor, model, index);
}

}  // namespace tl
