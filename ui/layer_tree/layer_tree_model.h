#pragma once

#include "session/experiment_session.h"

#include <QAbstractItemModel>
#include <QPointer>

#include <memory>
#include <vector>

namespace tl {

/// The session's layers as a tree (Qt's editabletreemodel pattern over a
/// plain node class). Checked = trainable; a parent is partially checked when
/// its subtree is mixed. Edits go to the session, which re-plans and emits
/// planChanged; the model then emits dataChanged for every row that changed
/// (the edited subtree and its ancestors).
class LayerTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column { NameColumn, TypeColumn, ShapeColumn, ParamsColumn, LrColumn, DriftColumn, ColumnCount };
  enum Role {
    PathRole = Qt::UserRole + 1,  ///< QString dotted path
    OwnParamsRole,                ///< qint64
    SubtreeParamsRole,            ///< qint64
    TrainableParamsRole,          ///< qint64, of the subtree
    NewWeightsRole,               ///< bool: starts from random weights
    DriftRole,                    ///< double: L2 distance from the starting weights (subtree); invalid before a run
    DriftFractionRole,            ///< double in [0, 1]: own drift relative to the largest layer's; invalid without own parameters
  };

  explicit LayerTreeModel(ExperimentSession* session, QObject* parent = nullptr);
  ~LayerTreeModel() override;

  ExperimentSession* session() const { return session_; }
  QString pathOf(const QModelIndex& index) const;
  QModelIndex indexOfPath(const QString& path, int column = NameColumn) const;
  /// True when any parameter of the row's subtree trains.
  bool isTrainable(const QModelIndex& index) const;
  qint64 trainableParameters() const { return session_->trainableParameters(); }
  qint64 totalParameters() const { return session_->totalParameters(); }

  /// A running experiment's drift per layer path (layers with own
  /// parameters; frozen ones 0): each row shows its own, a parent the
  /// L2 combination of its subtree's. Paths the tree does not have are ignored.
  void setDrift(const QStringList& paths, const QVector<double>& drift);
  /// Back to blank, e.g. when a new run starts.
  void clearDrift();

  /// Shows the plan the session's schedule puts in force at 1-based `epoch`
  /// (trainable checks, LR column, counts) while a scheduled run trains; the
  /// session's own plan is not changed.
  void showPlanAtEpoch(int epoch);
  /// Back to the session's plan (the whole run's), e.g. when the run ends.
  void showFinalPlan();
  /// The schedule's epoch shown, 0 for the session's plan.
  int displayedEpoch() const { return displayedEpoch_; }
  /// Trainable parameters of the plan shown.
  qint64 displayedTrainableParameters() const;

 Q_SIGNALS:
  /// showPlanAtEpoch or showFinalPlan changed the plan shown.
  void displayedPlanChanged();

 public:
  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Node;
  Node* nodeOf(const QModelIndex& index) const;
  QModelIndex indexOfNode(const Node* node, int column) const;
  void rebuild();       ///< the model changed: new rows
  void refreshPlan();   ///< the plan changed: same rows, new flags
  QVariant displayData(const Node& node, int column) const;
  QVariant checkState(const Node& node) const;
  QString toolTip(const Node& node) const;
  QVariant driftData(const Node& node, int role) const;
  void emitColumnChanged(int column);

  QPointer<ExperimentSession> session_;
  std::unique_ptr<Node> root_;              ///< invisible; its one child is the model
  std::vector<Node*> preorder_;             ///< nodes in session.layers() order
  double maxOwnDrift_ = 0.0;                ///< largest drift of a row with own parameters
  int displayedEpoch_ = 0;                  ///< see displayedEpoch()
};

}  // namespace tl
