#include "layer_tree/layer_tree_model.h"

#include "support/ui_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tl {
namespace {

/// The first row with own parameters whose parent has at least two such children.
struct Rows {
  QString parent;
  QStringList children;
};

Rows parentWithTwoLeaves(const QVector<LayerRow>& rows) {
  for (int i = 0; i < rows.size(); ++i) {
    QStringList leaves;
    for (const LayerRow& r : rows) {
      if (r.parent == i && r.ownParams > 0) leaves << r.path;
    }
    if (leaves.size() >= 2) return {rows[i].path, leaves.mid(0, 2)};
  }
  return {};
}

TEST(LayerTreeDrift, BlankBeforeARunThenOwnValuesAndSubtreeCombinations) {
  auto session = test::makeSession();
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 1.0);
  LayerTreeModel model(session.get());
  const Rows rows = parentWithTwoLeaves(session->layers());
  ASSERT_FALSE(rows.parent.isNull());
  const QModelIndex parent = model.indexOfPath(rows.parent, LayerTreeModel::DriftColumn);
  EXPECT_TRUE(parent.data().toString().isEmpty());
  EXPECT_FALSE(parent.data(LayerTreeModel::DriftRole).isValid());

  model.setDrift(rows.children, {3.0, 4.0});
  const QModelIndex first = model.indexOfPath(rows.children[0], LayerTreeModel::DriftColumn);
  EXPECT_DOUBLE_EQ(first.data(LayerTreeModel::DriftRole).toDouble(), 3.0);
  EXPECT_EQ(first.data().toString(), QStringLiteral("3"));
  EXPECT_DOUBLE_EQ(parent.data(LayerTreeModel::DriftRole).toDouble(), 5.0);  // √(3² + 4²)
  EXPECT_DOUBLE_EQ(first.data(LayerTreeModel::DriftFractionRole).toDouble(), 0.75);

  model.clearDrift();
  EXPECT_FALSE(first.data(LayerTreeModel::DriftRole).isValid());
}

TEST(LayerTreeDrift, FrozenRowsShowNoNumber) {
  auto session = test::makeSession();
  session->setStrategy(QStringLiteral("feature_extraction"), 1, 1.0);
  LayerTreeModel model(session.get());
  QStringList paths;
  QVector<double> values;
  QString frozen;
  for (const LayerRow& row : session->layers()) {
    if (row.ownParams == 0) continue;
    paths << row.path;
    values << (row.trainableParams > 0 ? 1.5 : 0.0);
    if (row.trainableParams == 0 && frozen.isNull()) frozen = row.path;
  }
  ASSERT_FALSE(frozen.isNull());
  model.setDrift(paths, values);
  const QModelIndex index = model.indexOfPath(frozen, LayerTreeModel::DriftColumn);
  EXPECT_TRUE(index.data().toString().isEmpty());
  EXPECT_DOUBLE_EQ(index.data(LayerTreeModel::DriftRole).toDouble(), 0.0);
}

TEST(LayerTreeDrift, HeaderNamesTheColumn) {
  auto session = test::makeSession();
  LayerTreeModel model(session.get());
  EXPECT_EQ(model.headerData(LayerTreeModel::DriftColumn, Qt::Horizontal).toString(), QStringLiteral("Drift"));
  EXPECT_FALSE(model.headerData(LayerTreeModel::DriftColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
}

}  // namespace
}  // namespace tl
