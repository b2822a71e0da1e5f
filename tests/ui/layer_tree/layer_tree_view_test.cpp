#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_panel.h"
#include "layer_tree/layer_tree_view.h"

#include "support/ui_test_helpers.h"

#include <QItemSelectionModel>
#include <QTest>

namespace tl {
namespace {

using test::makeSession;

// Two rows with parameters that are not each other's ancestor.
QStringList twoLeafPaths(const ExperimentSession& session) {
  QStringList paths;
  for (const LayerRow& row : session.layers()) {
    if (row.ownParams > 0 && paths.size() < 2) paths << row.path;
  }
  return paths;
}

void select(LayerTreeView& view, const QStringList& paths) {
  view.selectionModel()->clearSelection();
  for (const QString& path : paths) {
    view.selectionModel()->select(view.layerModel()->indexOfPath(path),
                                  QItemSelectionModel::Select | QItemSelectionModel::Rows);
  }
}

TEST(LayerTreeView, SpaceFreezesTheSelectionWhenAnyTrainsElseTrainsIt) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 0.0);
  LayerTreePanel panel(session.get());
  panel.show();
  LayerTreeView& view = *panel.view();
  const QStringList paths = twoLeafPaths(*session);
  ASSERT_EQ(paths.size(), 2);
  session->setTrainable({paths[0]}, false);  // mixed: one frozen, one trains
  select(view, paths);
  EXPECT_EQ(view.selectedPaths().size(), 2);

  QTest::keyClick(&view, Qt::Key_Space);
  EXPECT_FALSE(session->layerTrainable(paths[0]));
  EXPECT_FALSE(session->layerTrainable(paths[1]));
  QTest::keyClick(&view, Qt::Key_Space);
  EXPECT_TRUE(session->layerTrainable(paths[0]));
  EXPECT_TRUE(session->layerTrainable(paths[1]));
}

TEST(LayerTreeView, ExpandsEveryRowByDefault) {
  auto session = makeSession();
  LayerTreePanel panel(session.get());
  const QModelIndex deepest = panel.model()->indexOfPath(twoLeafPaths(*session).front());
  for (QModelIndex up = deepest.parent(); up.isValid(); up = up.parent()) EXPECT_TRUE(panel.view()->isExpanded(up));
  session->setModel(QStringLiteral("resnet_narrow"));
  const QModelIndex afterReset = panel.model()->indexOfPath(twoLeafPaths(*session).front());
  EXPECT_TRUE(panel.view()->isExpanded(afterReset.parent()));
}

TEST(LayerTreePanel, CountLabelFollowsThePlan) {
  auto session = makeSession();
  LayerTreePanel panel(session.get());
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 0.0);
  const QString all = panel.countText();
  EXPECT_TRUE(all.contains(QStringLiteral("(100.0%)"))) << all.toStdString();
  session->setTrainable({QString()}, false);
  EXPECT_TRUE(panel.countText().contains(QStringLiteral("<b>0</b>"))) << panel.countText().toStdString();
}

}  // namespace
}  // namespace tl
