#pragma once

#include <QStringList>
#include <QTreeView>

namespace tl {

class LayerTreeModel;

/// The freeze tree: extended row selection, Space toggles every selected row
/// (freezes them all if any trains, else unfreezes them all), a context menu
/// with freeze-up-to / unfreeze-from / freeze / train selected, a spin box
/// for "LR ×", expanded after every model change.
class LayerTreeView : public QTreeView {
  Q_OBJECT

 public:
  explicit LayerTreeView(QWidget* parent = nullptr);

  /// Must be a LayerTreeModel.
  void setModel(QAbstractItemModel* model) override;
  LayerTreeModel* layerModel() const { return model_; }

  /// Dotted paths of the selected rows.
  QStringList selectedPaths() const;
  /// What Space does.
  void toggleSelected();
  QSize sizeHint() const override;

 Q_SIGNALS:
  /// "Probe this layer" / "Transferability profile" in the context menu
  /// (ui/probe/probe_panel.h runs them).
  void probeRequested(const QString& path);
  void profileRequested();

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  void setSelectedTrainable(bool trainable);
  void fitColumns();

  LayerTreeModel* model_ = nullptr;
};

}  // namespace tl
