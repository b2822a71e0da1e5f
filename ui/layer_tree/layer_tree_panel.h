#pragma once

#include <QWidget>

class QLabel;

namespace tl {

class ExperimentSession;
class LayerTreeModel;
class LayerTreeView;

/// The layer tree with the count of trainable parameters under it
/// ("Trainable: 12,345 of 98,765 parameters (12.5%)"), always current.
class LayerTreePanel : public QWidget {
  Q_OBJECT

 public:
  explicit LayerTreePanel(ExperimentSession* session, QWidget* parent = nullptr);

  LayerTreeView* view() const { return view_; }
  LayerTreeModel* model() const { return model_; }
  QString countText() const;

 private:
  void updateCount();

  ExperimentSession* session_;
  LayerTreeModel* model_;
  LayerTreeView* view_;
  QLabel* count_;
};

}  // namespace tl
