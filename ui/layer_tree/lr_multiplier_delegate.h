#pragma once

#include <QStyledItemDelegate>

namespace tl {

/// Edits the layer tree's "LR ×" column with a QDoubleSpinBox (0–100, as the
/// config accepts); other columns keep the default editors.
class LrMultiplierDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
};

}  // namespace tl
