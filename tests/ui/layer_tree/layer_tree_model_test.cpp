#include "layer_tree/layer_tree_model.h"

#include "support/ui_test_helpers.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include <functional>

namespace tl {
namespace {

using test::makeSession;

// Collects the tester's warnings, so a broken model fails the test with the
// tester's message instead of aborting the binary.
class ModelTesterMessages {
 public:
  ModelTesterMessages() { previous_ = qInstallMessageHandler(&ModelTesterMessages::record); }
  ~ModelTesterMessages() { qInstallMessageHandler(previous_); }
  static QStringList& messages() {
    static QStringList list;
    return list;
  }

 private:
  static void record(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type != QtDebugMsg && type != QtInfoMsg) messages() << message;
  }
  QtMessageHandler previous_;
};

void forEachIndex(const QAbstractItemModel& model, const QModelIndex& parent,
                  const std::function<void(const QModelIndex&)>& visit) {
  for (int row = 0; row < model.rowCount(parent); ++row) {
    const QModelIndex index = model.index(row, 0, parent);
    visit(index);
    forEachIndex(model, index, visit);
  }
}

QModelIndex firstRowWithChildrenAndParameters(const LayerTreeModel& model) {
  QModelIndex found;
  forEachIndex(model, {}, [&](const QModelIndex& i) {
    if (!found.isValid() && model.pathOf(i) != QString() && model.rowCount(i) > 1 &&
        i.data(LayerTreeModel::SubtreeParamsRole).toLongLong() > 0)
      found = i;
  });
  return found;
}

TEST(LayerTreeModel, PassesQAbstractItemModelTesterThroughEditsAndResets) {
  for (const QString& arch : {QStringLiteral("small_cnn"), QStringLiteral("resnet_narrow")}) {
    ExperimentSession session;
    ASSERT_TRUE(session.setConfigJson(test::untrainedConfigJson(arch)));
    ModelTesterMessages messages;
    ModelTesterMessages::messages().clear();
    LayerTreeModel model(&session);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Warning);
    for (const QString& s : session.strategyNames()) session.setStrategy(s, 1, 0.0);
    model.setData(model.index(0, 0), Qt::Unchecked, Qt::CheckStateRole);
    model.setData(firstRowWithChildrenAndParameters(model), Qt::Checked, Qt::CheckStateRole);
    session.setModel(QStringLiteral("small_cnn"));
    session.setTargetClasses({0, 1});
    EXPECT_TRUE(ModelTesterMessages::messages().isEmpty())
        << arch.toStdString() << ": " << ModelTesterMessages::messages().join('\n').toStdString();
  }
}

TEST(LayerTreeModel, PassesTheTesterOnTheDefaultModel) {
  auto session = makeSession();
  ModelTesterMessages messages;
  ModelTesterMessages::messages().clear();
  LayerTreeModel model(session.get());
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Warning);
  session->freezeUpTo(session->layers()[2].path);
  EXPECT_TRUE(ModelTesterMessages::messages().isEmpty()) << ModelTesterMessages::messages().join('\n').toStdString();
}

TEST(LayerTreeModel, OneTopRowForTheWholeModel) {
  auto session = makeSession();
  LayerTreeModel model(session.get());
  ASSERT_EQ(model.rowCount(), 1);
  EXPECT_EQ(model.pathOf(model.index(0, 0)), QString());
  int rows = 0;
  forEachIndex(model, {}, [&](const QModelIndex&) { ++rows; });
  EXPECT_EQ(rows, session->layers().size());
}

TEST(LayerTreeModel, CheckingAParentChecksItsSubtreeAndTheCountFollows) {
  auto session = makeSession();
  LayerTreeModel model(session.get());
  const QModelIndex root = model.index(0, 0);
  ASSERT_TRUE(model.setData(root, Qt::Unchecked, Qt::CheckStateRole));
  EXPECT_EQ(model.trainableParameters(), 0);
  const QModelIndex parent = firstRowWithChildrenAndParameters(model);
  ASSERT_TRUE(parent.isValid());
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  ASSERT_TRUE(model.setData(parent, Qt::Checked, Qt::CheckStateRole));

  EXPECT_EQ(model.trainableParameters(), parent.data(LayerTreeModel::SubtreeParamsRole).toLongLong());
  EXPECT_EQ(parent.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
  EXPECT_EQ(root.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::PartiallyChecked);
  QSet<QString> changedPaths;
  for (const auto& args : changed) changedPaths << model.pathOf(args.at(0).toModelIndex());
  forEachIndex(model, parent, [&](const QModelIndex& child) {
    if (child.data(LayerTreeModel::SubtreeParamsRole).toLongLong() == 0) return;
    EXPECT_EQ(child.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked) << model.pathOf(child).toStdString();
    EXPECT_TRUE(changedPaths.contains(model.pathOf(child))) << "no dataChanged down to " << model.pathOf(child).toStdString();
  });
  for (QModelIndex up = parent; up.isValid(); up = up.parent()) {
    EXPECT_TRUE(changedPaths.contains(model.pathOf(up))) << "no dataChanged up to " << model.pathOf(up).toStdString();
  }
}

TEST(LayerTreeModel, ClickingAPartiallyCheckedParentTrainsItAll) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("feature_extraction"), 1, 0.0);
  LayerTreeModel model(session.get());
  const QModelIndex root = model.index(0, 0);
  EXPECT_EQ(root.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::PartiallyChecked);  // the head trains
  model.setData(root, Qt::Checked, Qt::CheckStateRole);
  EXPECT_EQ(model.trainableParameters(), model.totalParameters());
}

TEST(LayerTreeModel, FrozenRowsAreGreyAndItalic) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("feature_extraction"), 1, 0.0);
  LayerTreeModel model(session.get());
  const QModelIndex first = model.index(0, 0, model.index(0, 0));  // the lowest block
  EXPECT_EQ(first.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
  EXPECT_TRUE(first.data(Qt::ForegroundRole).isValid());
  EXPECT_TRUE(first.data(Qt::FontRole).value<QFont>().italic());
  const QModelIndex head = model.indexOfPath(session->layers().back().path);
  EXPECT_FALSE(head.data(Qt::ForegroundRole).isValid());
}

TEST(LayerTreeModel, LearningRateIsEditableOnlyWhereALayerOwnsParameters) {
  auto session = makeSession();
  LayerTreeModel model(session.get());
  QModelIndex withParams, without;
  forEachIndex(model, {}, [&](const QModelIndex& i) {
    const bool own = i.data(LayerTreeModel::OwnParamsRole).toLongLong() > 0;
    if (own && !withParams.isValid()) withParams = i;
    if (!own && !without.isValid()) without = i;
  });
  const QModelIndex lr = withParams.siblingAtColumn(LayerTreeModel::LrColumn);
  EXPECT_TRUE(model.flags(lr) & Qt::ItemIsEditable);
  EXPECT_FALSE(model.flags(without.siblingAtColumn(LayerTreeModel::LrColumn)) & Qt::ItemIsEditable);
  ASSERT_TRUE(model.setData(lr, 0.5, Qt::EditRole));
  EXPECT_DOUBLE_EQ(lr.data(Qt::EditRole).toDouble(), 0.5);
  EXPECT_DOUBLE_EQ(session->layerLrMultiplier(model.pathOf(withParams)), 0.5);
  EXPECT_TRUE(session->isCustom());
}

TEST(LayerTreeModel, ColumnsShowTypeShapeAndParameters) {
  auto session = makeSession();
  LayerTreeModel model(session.get());
  const QVector<LayerRow> rows = session->layers();
  int conv = 0;
  while (conv < rows.size() && rows[conv].type != QStringLiteral("Conv2d")) ++conv;
  ASSERT_LT(conv, rows.size());
  const QModelIndex index = model.indexOfPath(rows[conv].path);
  EXPECT_EQ(index.siblingAtColumn(LayerTreeModel::TypeColumn).data().toString(), QStringLiteral("Conv2d"));
  EXPECT_TRUE(index.siblingAtColumn(LayerTreeModel::ShapeColumn).data().toString().contains(QStringLiteral("×3×3")));
  EXPECT_FALSE(index.siblingAtColumn(LayerTreeModel::ParamsColumn).data().toString().isEmpty());
}

TEST(LayerTreeModel, MarksLayersThatStartFromRandomWeights) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("layer_replacement"), 1, 0.0);
  LayerTreeModel model(session.get());
  const QVector<LayerRow> rows = session->layers();
  const QModelIndex head = model.indexOfPath(rows.back().path);
  EXPECT_TRUE(head.data(LayerTreeModel::NewWeightsRole).toBool());
  EXPECT_TRUE(head.siblingAtColumn(LayerTreeModel::TypeColumn).data().toString().endsWith(QStringLiteral("(new)")));
  const QModelIndex lowest = model.index(0, 0, model.index(0, 0));
  EXPECT_FALSE(lowest.data(LayerTreeModel::NewWeightsRole).toBool());
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 0.0);
  EXPECT_TRUE(head.data(LayerTreeModel::NewWeightsRole).toBool());  // the head is always new
}

}  // namespace
}  // namespace tl
