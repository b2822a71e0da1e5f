#include "layer_tree/layer_tree_view.h"

#include "layer_tree/drift_bar_delegate.h"
#include "layer_tree/layer_tree_model.h"
#include "layer_tree/lr_multiplier_delegate.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QScrollBar>

#include <algorithm>

namespace tl {

LayerTreeView::LayerTreeView(QWidget* parent) : QTreeView(parent) {
  setSelectionMode(QAbstractItemView::ExtendedSelection);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                  QAbstractItemView::SelectedClicked);
  setItemDelegate(new LrMultiplierDelegate(this));
  setItemDelegateForColumn(LayerTreeModel::DriftColumn, new DriftBarDelegate(this));
  setAlternatingRowColors(true);
  setUniformRowHeights(true);  // fast layout while scrolling big trees
  setAllColumnsShowFocus(true);
  setContextMenuPolicy(Qt::DefaultContextMenu);
  setToolTip(tr("Tick a layer to train it, untick to freeze it. Space toggles the selected rows; "
                "right-click for more."));
}

void LayerTreeView::setModel(QAbstractItemModel* model) {
  QTreeView::setModel(model);
  model_ = qobject_cast<LayerTreeModel*>(model);
  if (model) connect(model, &QAbstractItemModel::modelReset, this, [this] {
      expandAll();
      fitColumns();
    });
  expandAll();
  fitColumns();
}

// Every column fits its contents, so a narrow window scrolls sideways rather
// than cutting types or counts; the last column takes any spare width.
void LayerTreeView::fitColumns() {
  QHeaderView* h = header();
  h->setMinimumSectionSize(40);
  h->setSectionResizeMode(QHeaderView::ResizeToContents);
  h->setStretchLastSection(true);
  updateGeometry();
}

// Wide enough for every column, so layouts give the tree the room it needs.
QSize LayerTreeView::sizeHint() const {
  int width = 2 * frameWidth() + verticalScrollBar()->sizeHint().width();
  for (int column = 0; model() && column < model()->columnCount(); ++column) {
    width += std::max(header()->sectionSizeHint(column), sizeHintForColumn(column));
  }
  return {width, QTreeView::sizeHint().height()};
}

QStringList LayerTreeView::selectedPaths() const {
  QStringList paths;
  if (!model_ || !selectionModel()) return paths;
  const QModelIndexList rows = selectionModel()->selectedRows(LayerTreeModel::NameColumn);
  for (const QModelIndex& index : rows) paths << model_->pathOf(index);
  return paths;
}

void LayerTreeView::setSelectedTrainable(bool trainable) {
  const QStringList paths = selectedPaths();
  if (model_ && !paths.isEmpty()) model_->session()->setTrainable(paths, trainable);
}

void LayerTreeView::toggleSelected() {
  if (!model_ || !selectionModel()) return;
  const QModelIndexList rows = selectionModel()->selectedRows(LayerTreeModel::NameColumn);
  const bool anyTrainable =
      std::any_of(rows.begin(), rows.end(), [this](const QModelIndex& i) { return model_->isTrainable(i); });
  setSelectedTrainable(!anyTrainable);
}

void LayerTreeView::keyPressEvent(QKeyEvent* event) {
  // Handled here, not by the delegate, which would toggle only the current row.
  if ((event->key() == Qt::Key_Space || event->key() == Qt::Key_Select) && event->modifiers() == Qt::NoModifier &&
      state() != QAbstractItemView::EditingState) {
    toggleSelected();
    event->accept();
    return;
  }
  QTreeView::keyPressEvent(event);
}

void LayerTreeView::contextMenuEvent(QContextMenuEvent* event) {
  if (!model_) return;
  const QModelIndex index = indexAt(viewport()->mapFromGlobal(event->globalPos()));
  const QString path = model_->pathOf(index);
  ExperimentSession* session = model_->session();
  QMenu menu(this);
  QAction* upTo = menu.addAction(tr("Freeze up to here"), this, [session, path] { session->freezeUpTo(path); });
  QAction* from = menu.addAction(tr("Unfreeze from here"), this, [session, path] { session->unfreezeFrom(path); });
  upTo->setEnabled(index.isValid());
  from->setEnabled(index.isValid());
  menu.addSeparator();
  const bool hasSelection = selectionModel() && selectionModel()->hasSelection();
  menu.addAction(tr("Freeze selected"), this, [this] { setSelectedTrainable(false); })->setEnabled(hasSelection);
  menu.addAction(tr("Train selected"), this, [this] { setSelectedTrainable(true); })->setEnabled(hasSelection);
  menu.addSeparator();
  menu.addAction(tr("Probe this layer"), this, [this, path] { Q_EMIT probeRequested(path); })
      ->setEnabled(index.isValid() && !path.isEmpty());
  menu.addAction(tr("Transferability profile"), this, [this] { Q_EMIT profileRequested(); });
  menu.addSeparator();
  menu.addAction(tr("Expand all"), this, &QTreeView::expandAll);
  menu.addAction(tr("Collapse all"), this, &QTreeView::collapseAll);
  menu.exec(event->globalPos());
}

}  // namespace tl
