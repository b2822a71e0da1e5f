#include "layer_tree/layer_tree_model.h"

#include "session/number_format.h"

#include <QApplication>
#include <QHash>
#include <QFont>
#include <QPalette>

#include <algorithm>
#include <cmath>

namespace tl {

struct LayerTreeModel::Node {
  LayerRow layer;
  Node* parent = nullptr;
  int row = 0;  ///< index among the parent's children
  double ownDrift = -1.0;      ///< -1: no run has reported yet
  double subtreeDrift = -1.0;  ///< sqrt of the subtree's squared own drifts
  std::vector<std::unique_ptr<Node>> children;
};

LayerTreeModel::LayerTreeModel(ExperimentSession* session, QObject* parent)
    : QAbstractItemModel(parent), session_(session), root_(std::make_unique<Node>()) {
  rebuild();
  connect(session, &ExperimentSession::modelChanged, this, [this] {
    beginResetModel();
    rebuild();
    endResetModel();
  });
  connect(session, &ExperimentSession::planChanged, this, &LayerTreeModel::refreshPlan);
}

LayerTreeModel::~LayerTreeModel() = default;

// session.layers() is in pre-order with parent indices, so every parent node
// exists before its children are attached.
void LayerTreeModel::rebuild() {
  root_ = std::make_unique<Node>();
  preorder_.clear();
  maxOwnDrift_ = 0.0;
  for (const LayerRow& layer : session_->layers()) {
    Node* parent = layer.parent < 0 ? root_.get() : preorder_.at(static_cast<size_t>(layer.parent));
    auto node = std::make_unique<Node>();
    node->layer = layer;
    node->parent = parent;
    node->row = static_cast<int>(parent->children.size());
    preorder_.push_back(node.get());
    parent->children.push_back(std::move(node));
  }
}

// Emits dataChanged only for rows whose flags or multipliers moved: the
// edited subtree, its ancestors, and whatever a strategy change touched.
void LayerTreeModel::refreshPlan() {
  const QVector<LayerRow> layers = displayedEpoch_ > 0 ? session_->layersAtEpoch(displayedEpoch_) : session_->layers();
  if (static_cast<size_t>(layers.size()) != preorder_.size()) {
    beginResetModel();
    rebuild();
    endResetModel();
    return;
  }
  for (size_t i = 0; i < preorder_.size(); ++i) {
    LayerRow& current = preorder_[i]->layer;
    const LayerRow& next = layers[static_cast<int>(i)];
    if (current.trainableParams == next.trainableParams && current.lrMultiplier == next.lrMultiplier &&
        current.newWeights == next.newWeights)
      continue;
    current = next;
    Q_EMIT dataChanged(indexOfNode(preorder_[i], 0), indexOfNode(preorder_[i], ColumnCount - 1));
  }
}

void LayerTreeModel::showPlanAtEpoch(int epoch) {
  if (epoch == displayedEpoch_) return;
  displayedEpoch_ = std::max(0, epoch);
  refreshPlan();
  Q_EMIT displayedPlanChanged();
}

void LayerTreeModel::showFinalPlan() { showPlanAtEpoch(0); }

qint64 LayerTreeModel::displayedTrainableParameters() const {
  return preorder_.empty() ? 0 : preorder_.front()->layer.trainableParams;
}

void LayerTreeModel::setDrift(const QStringList& paths, const QVector<double>& drift) {
  QHash<QString, double> byPath;
  for (int i = 0; i < paths.size() && i < drift.size(); ++i) byPath.insert(paths[i], drift[i]);
  maxOwnDrift_ = 0.0;
  for (Node* node : preorder_) {
    node->ownDrift = byPath.value(node->layer.path, 0.0);
    if (node->layer.ownParams > 0) maxOwnDrift_ = std::max(maxOwnDrift_, node->ownDrift);
  }
  // Children come after their parent in pre-order: walking backwards sums every subtree.
  std::vector<double> squares(preorder_.size());
  for (size_t i = preorder_.size(); i-- > 0;) {
    Node* node = preorder_[i];
    squares[i] += node->ownDrift * node->ownDrift;
    node->subtreeDrift = std::sqrt(squares[i]);
    if (node->layer.parent >= 0) squares[static_cast<size_t>(node->layer.parent)] += squares[i];
  }
  if (preorder_.empty()) return;
  emitColumnChanged(DriftColumn);
}

void LayerTreeModel::clearDrift() {
  for (Node* node : preorder_) node->ownDrift = node->subtreeDrift = -1.0;
  maxOwnDrift_ = 0.0;
  if (!preorder_.empty()) emitColumnChanged(DriftColumn);
}

// dataChanged for one column of every row, parent by parent (a range must share its parent).
void LayerTreeModel::emitColumnChanged(int column) {
  for (const Node* node : preorder_) {
    if (node->children.empty()) continue;
    const QModelIndex first = indexOfNode(node->children.front().get(), column);
    const QModelIndex last = indexOfNode(node->children.back().get(), column);
    Q_EMIT dataChanged(first, last, {Qt::DisplayRole, Qt::ToolTipRole, DriftRole, DriftFractionRole});
  }
  const Node* top = root_->children.empty() ? nullptr : root_->children.front().get();
  if (top) Q_EMIT dataChanged(indexOfNode(top, column), indexOfNode(top, column));
}

LayerTreeModel::Node* LayerTreeModel::nodeOf(const QModelIndex& index) const {
  return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

QModelIndex LayerTreeModel::indexOfNode(const Node* node, int column) const {
  if (node == root_.get()) return {};
  return createIndex(node->row, column, const_cast<Node*>(node));
}

QString LayerTreeModel::pathOf(const QModelIndex& index) const {
  return index.isValid() ? nodeOf(index)->layer.path : QString();
}

QModelIndex LayerTreeModel::indexOfPath(const QString& path, int column) const {
  for (const Node* node : preorder_) {
    if (node->layer.path == path) return indexOfNode(node, column);
  }
  return {};
}

bool LayerTreeModel::isTrainable(const QModelIndex& index) const {
  return index.isValid() && nodeOf(index)->layer.trainableParams > 0;
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex& parent) const {
  if (!hasIndex(row, column, parent)) return {};
  const Node* parentNode = nodeOf(parent);
  return createIndex(row, column, parentNode->children[static_cast<size_t>(row)].get());
}

QModelIndex LayerTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid()) return {};
  return indexOfNode(nodeOf(child)->parent, 0);
}

int LayerTreeModel::rowCount(const QModelIndex& parent) const {
  if (parent.column() > 0) return 0;  // only the first column has children
  return static_cast<int>(nodeOf(parent)->children.size());
}

int LayerTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant LayerTreeModel::displayData(const Node& node, int column) const {
  const LayerRow& l = node.layer;
  switch (column) {
    case NameColumn: return l.name;
    case TypeColumn: return l.newWeights && l.subtreeParams > 0 ? tr("%1 (new)").arg(l.type) : l.type;
    case ShapeColumn: return l.shapes;
    case ParamsColumn: return l.subtreeParams > 0 ? formatCount(l.subtreeParams) : QString();
    case LrColumn: return l.ownParams > 0 ? QStringLiteral("×%1").arg(l.lrMultiplier, 0, 'g', 3) : QString();
    case DriftColumn: {
      // Blank before a run and for frozen rows: nothing of theirs can move.
      const bool frozen = l.trainableParams == 0;
      return node.subtreeDrift < 0.0 || frozen || l.subtreeParams == 0 ? QString()
                                                                        : QString::number(node.subtreeDrift, 'g', 3);
    }
    default: return {};
  }
}

QVariant LayerTreeModel::checkState(const Node& node) const {
  const LayerRow& l = node.layer;
  if (l.subtreeParams == 0) return {};  // freezing a ReLU means nothing: no checkbox
  if (l.trainableParams == 0) return Qt::Unchecked;
  return l.trainableParams == l.subtreeParams ? Qt::Checked : Qt::PartiallyChecked;
}

QVariant LayerTreeModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const Node& node = *nodeOf(index);
  const LayerRow& l = node.layer;
  const bool frozen = l.subtreeParams > 0 && l.trainableParams == 0;
  switch (role) {
    case Qt::DisplayRole: return displayData(node, index.column());
    case Qt::EditRole:
      return index.column() == LrColumn ? QVariant(l.lrMultiplier) : displayData(node, index.column());
    case Qt::CheckStateRole: return index.column() == NameColumn ? checkState(node) : QVariant();
    case Qt::ForegroundRole:
      return frozen ? QVariant(QApplication::palette().brush(QPalette::Disabled, QPalette::Text)) : QVariant();
    case Qt::FontRole: {
      if (!frozen) return {};
      QFont font;
      font.setItalic(true);
      return font;
    }
    case Qt::ToolTipRole: return toolTip(node);
    case Qt::TextAlignmentRole:
      return index.column() >= ParamsColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case PathRole: return l.path;
    case OwnParamsRole: return l.ownParams;
    case SubtreeParamsRole: return l.subtreeParams;
    case TrainableParamsRole: return l.trainableParams;
    case NewWeightsRole: return l.newWeights;
    case DriftRole:
    case DriftFractionRole: return driftData(node, role);
    default: return {};
  }
}

QVariant LayerTreeModel::driftData(const Node& node, int role) const {
  if (node.subtreeDrift < 0.0) return {};
  if (role == DriftRole) return node.subtreeDrift;
  if (node.layer.ownParams == 0) return {};
  return maxOwnDrift_ > 0.0 ? node.ownDrift / maxOwnDrift_ : 0.0;
}

QString LayerTreeModel::toolTip(const Node& node) const {
  const LayerRow& l = node.layer;
  QString tip = l.path.isEmpty() ? l.name : l.path;
  if (l.subtreeParams > 0) {
    tip += tr("\n%1 of %2 parameters trainable").arg(formatCount(l.trainableParams), formatCount(l.subtreeParams));
  }
  if (l.newWeights && l.subtreeParams > 0) tip += tr("\nStarts from random weights, not the pretrained ones");
  if (node.subtreeDrift >= 0.0 && l.trainableParams > 0) {
    tip += tr("\nMoved %1 (L2 norm) from its starting weights").arg(QString::number(node.subtreeDrift, 'g', 3));
  }
  if (displayedEpoch_ > 0) {
    tip += tr("\nThe schedule's plan for epoch %1. The tree cannot be edited until the run ends: the schedule "
              "sets each epoch's plan.")
               .arg(displayedEpoch_);
  }
  return tip;
}

bool LayerTreeModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || !session_) return false;
  const LayerRow& l = nodeOf(index)->layer;
  if (role == Qt::CheckStateRole && index.column() == NameColumn && l.subtreeParams > 0) {
    // A click on a partially checked parent makes the whole subtree train.
    const bool trainable = value.value<Qt::CheckState>() != Qt::Unchecked;
    session_->setTrainable({l.path}, trainable);
    return true;
  }
  if (role == Qt::EditRole && index.column() == LrColumn && l.ownParams > 0) {
    bool ok = false;
    const double multiplier = value.toDouble(&ok);
    if (!ok || multiplier < 0.0) return false;
    session_->setLrMultiplier(l.path, multiplier);
    return true;
  }
  return false;
}

Qt::ItemFlags LayerTreeModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  const Node& node = *nodeOf(index);
  Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (node.children.empty()) f |= Qt::ItemNeverHasChildren;
  if (index.column() == NameColumn && node.layer.subtreeParams > 0) {
    f |= Qt::ItemIsUserCheckable;
    if (!node.children.empty()) f |= Qt::ItemIsAutoTristate;
  }
  if (index.column() == LrColumn && node.layer.ownParams > 0) f |= Qt::ItemIsEditable;
  return f;
}

QVariant LayerTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    static const char* const titles[] = {"Layer", "Type", "Shape", "Parameters", "LR ×", "Drift"};
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
  }
  if (role == Qt::ToolTipRole && section == LrColumn) {
    return tr("Learning-rate multiplier of the layer's own parameters (double-click to edit)");
  }
  if (role == Qt::ToolTipRole && section == DriftColumn) {
    return tr("How far the layer's weights have moved from where the run started (L2 norm), after every epoch; "
              "the bar compares layers");
  }
  if (role == Qt::ToolTipRole && section == NameColumn) return tr("Checked layers train; unchecked ones stay frozen");
  return {};
}

}  // namespace tl
