#include "sweep/sweep_heat_map.h"
#include "sweep/sweep_table_model.h"
#include "sweep/sweep_view.h"
#include "sweep/transferability_plot.h"
#include "sweep_fixtures.h"
#include "support/batch_window.h"

#include <gtest/gtest.h>

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTableView>

#include <cmath>

namespace tl {
namespace {

/// The sweep's rows in the proxy's order: the values of `column` by SortRole.
QList<double> columnValues(const QAbstractItemModel& model, int column) {
  QList<double> values;
  for (int row = 0; row < model.rowCount(); ++row) {
    values << model.index(row, column).data(SweepTableModel::SortRole).toDouble();
  }
  return values;
}

TEST(SweepTableModel, ShowsOneRowPerTrialWithAxisAndMetricColumns) {
  SweepTableModel model;
  model.setTable(test::depthSweep());
  ASSERT_EQ(model.rowCount(), 4);
  EXPECT_EQ(model.columnCount(), 2 + SweepTableModel::MetricCount);
  EXPECT_EQ(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Depth"));
  EXPECT_EQ(model.headerData(1, Qt::Horizontal, Qt::ToolTipRole).toString(), QStringLiteral("Frozen depth"));
  EXPECT_EQ(model.index(0, 1).data().toString(), QStringLiteral("2"));
  EXPECT_EQ(model.index(0, model.metricColumn(SweepTableModel::Accuracy)).data().toString(),
            QStringLiteral("84.0% ± 1.0"));
  EXPECT_EQ(model.index(0, model.metricColumn(SweepTableModel::Gain)).data().toString(), QStringLiteral("+14.0"));
  EXPECT_EQ(model.index(2, model.metricColumn(SweepTableModel::Gain)).data().toString(), QStringLiteral("−4.0"));
}

TEST(SweepTableModel, SortsByNumbersAndFiltersOnAnyColumn) {
  SweepTableModel model;
  model.setTable(test::depthSweep());
  SweepTrialFilter filter;
  filter.setSourceModel(&model);

  const int gain = model.metricColumn(SweepTableModel::Gain);
  filter.sort(gain, Qt::AscendingOrder);
  // As numbers: −4 < 8 < 11 < 14 (as text "+11.0" < "+14.0" < "+8.0" < "−4.0").
  const QList<double> gains = columnValues(filter, gain);
  ASSERT_EQ(gains.size(), 4);
  EXPECT_NEAR(gains[0], -4.0, 1e-9);
  EXPECT_NEAR(gains[1], 8.0, 1e-9);
  EXPECT_NEAR(gains[2], 11.0, 1e-9);
  EXPECT_NEAR(gains[3], 14.0, 1e-9);

  filter.sort(model.metricColumn(SweepTableModel::Seconds), Qt::DescendingOrder);
  EXPECT_EQ(columnValues(filter, model.metricColumn(SweepTableModel::Seconds)), (QList<double>{40, 25, 12, 8}));

  filter.setFilterFixedString(QStringLiteral("NEGATIVE"));  // the verdict in the status column
  ASSERT_EQ(filter.rowCount(), 1);
  EXPECT_EQ(filter.index(0, 1).data().toString(), QStringLiteral("3"));
  filter.setFilterFixedString(QString());
  EXPECT_EQ(filter.rowCount(), 4);
}

TEST(TransferabilityPlot, PointsAndErrorBarsAreTheTrialsMeansAndStdsAndTheBandIsTheTwin) {
  TransferabilityPlot plot;
  const SweepTable table = test::depthSweep();
  ASSERT_TRUE(TransferabilityPlot::appliesTo(table));
  plot.setTable(table);
  EXPECT_EQ(plot.xField(), QStringLiteral("frozen_depth"));
  ASSERT_EQ(plot.seriesCount(), 1);
  const auto points = plot.points(0);
  ASSERT_EQ(points.size(), 4u);
  for (const TrialResult& trial : table.trials) {
    const double depth = trial.values["frozen_depth"].get<double>();
    const auto& point = points[static_cast<size_t>(depth)];  // drawn in depth order
    EXPECT_DOUBLE_EQ(point.x, depth);
    EXPECT_NEAR(point.accuracy, 100.0 * trial.mean, 1e-9);
    EXPECT_NEAR(point.error, 100.0 * trial.std, 1e-9);
  }
  ASSERT_EQ(plot.bandCount(), 1);
  const auto band = plot.band(0);
  ASSERT_TRUE(band);
  EXPECT_NEAR(band->mean, 70.0, 1e-9);
  EXPECT_NEAR(band->low, 68.0, 1e-9);
  EXPECT_NEAR(band->high, 72.0, 1e-9);
}

TEST(TransferabilityPlot, DrawsOneLinePerValueOfTheOtherAxis) {
  TransferabilityPlot plot;
  plot.setTable(test::depthByRateSweep());
  ASSERT_EQ(plot.seriesCount(), 2);
  for (int series = 0; series < 2; ++series) {
    const bool fast = plot.seriesName(series).contains(QStringLiteral("0.1"));
    const auto points = plot.points(series);
    if (fast) {
      ASSERT_EQ(points.size(), 1u);  // depth 0 at lr 0.1 has not finished
      EXPECT_NEAR(points[0].accuracy, 75.0, 1e-9);
    } else {
      ASSERT_EQ(points.size(), 2u);
      EXPECT_NEAR(points[0].accuracy, 80.0, 1e-9);
      EXPECT_NEAR(points[1].accuracy, 85.0, 1e-9);
    }
  }
  // The fixture gives the two rates different twins: one band each.
  EXPECT_EQ(plot.bandCount(), 2);
}

TEST(SweepHeatMap, HasOneCellPerCombinationWithItsGainOrAccuracy) {
  SweepHeatMap map;
  const SweepTable table = test::depthByRateSweep();
  ASSERT_TRUE(SweepHeatMap::appliesTo(table));
  EXPECT_FALSE(SweepHeatMap::appliesTo(test::depthSweep()));
  map.setTable(table);
  ASSERT_EQ(map.columns(), 2);
  ASSERT_EQ(map.rows(), 2);
  EXPECT_EQ(map.columnLabel(1), QStringLiteral("2"));
  EXPECT_EQ(map.rowLabel(0), QStringLiteral("0.01"));
  EXPECT_NEAR(map.cellValue(0, 0).value_or(-1), 15.0, 1e-9);  // depth 0, lr 0.01: 80 − 65
  EXPECT_NEAR(map.cellValue(1, 0).value_or(-1), 20.0, 1e-9);
  EXPECT_NEAR(map.cellValue(1, 1).value_or(-1), 15.0, 1e-9);
  EXPECT_FALSE(map.cellValue(0, 1));  // not finished: blank
  map.setMeasure(SweepHeatMap::Measure::Accuracy);
  EXPECT_NEAR(map.cellValue(1, 0).value_or(-1), 85.0, 1e-9);
}

class SweepViewTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::isolateSettings(); }
  QTemporaryDir dir;
};

TEST_F(SweepViewTest, SaysHowToStartUntilASweepIsShown) {
  SweepView view;
  EXPECT_TRUE(view.showsEmptyState());
  EXPECT_TRUE(view.emptyText().contains(QStringLiteral("Experiment ▸ Sweep…")));
  write_sweep(test::depthSweep(), dir.path().toStdString());
  ASSERT_TRUE(view.openSweep(dir.path()));
  EXPECT_FALSE(view.showsEmptyState());
  EXPECT_EQ(view.model()->rowCount(), 4);
  EXPECT_EQ(view.curve()->points(0).size(), 4u);
  EXPECT_FALSE(view.plotSwitch()->isVisibleTo(&view));  // one axis: the curve only
}

TEST_F(SweepViewTest, FiltersTheTableFromItsField) {
  SweepView view;
  write_sweep(test::depthSweep(), dir.path().toStdString());
  ASSERT_TRUE(view.openSweep(dir.path()));
  view.filterEdit()->setText(QStringLiteral("negative"));
  EXPECT_EQ(view.tableView()->model()->rowCount(), 1);
}

TEST_F(SweepViewTest, OffersTheHeatMapForTwoAxesAndResumeForAnUnfinishedSweep) {
  SweepView view;
  SweepTable table = test::depthByRateSweep();
  table.base_config = nlohmann::json::object();
  write_sweep(table, dir.path().toStdString());
  ASSERT_TRUE(view.openSweep(dir.path()));
  EXPECT_TRUE(view.plotSwitch()->isVisibleTo(&view));
  EXPECT_TRUE(view.canResume());
  EXPECT_TRUE(view.resumeButton()->isVisibleTo(&view));
}

TEST_F(SweepViewTest, ReopensTheLastSweepFolder) {
  write_sweep(test::depthSweep(), dir.path().toStdString());
  {
    SweepView view;
    ASSERT_TRUE(view.openSweep(dir.path()));
  }
  SweepView restarted;
  ASSERT_TRUE(restarted.reopenLastSweep());
  EXPECT_EQ(restarted.directory(), dir.path());
  EXPECT_EQ(restarted.model()->rowCount(), 4);
}

TEST_F(SweepViewTest, ReportsAFolderWithoutASweep) {
  SweepView view;
  QString error;
  EXPECT_FALSE(view.openSweep(dir.path(), &error));
  EXPECT_TRUE(error.contains(QStringLiteral("sweep.json"))) << error.toStdString();
  EXPECT_TRUE(view.showsEmptyState());
}

}  // namespace
}  // namespace tl
