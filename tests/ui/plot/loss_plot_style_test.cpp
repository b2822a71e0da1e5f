// The curves' colours, line styles and markers, and how presentation mode
// scales them.
#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "style/presentation_scale.h"

#include <gtest/gtest.h>

#include <QTest>

#include <QSet>

namespace tl {
namespace {

using style::CurveRun;
using style::CurveSplit;

/// A graph of the current run (or the twin's, "twin: …") by its legend name.
QCPGraph* graph_named(const LossPlot& plot, const QString& name) {
  QCustomPlot* custom = plot.customPlot();
  for (int i = 0; i < custom->graphCount(); ++i) {
    if (custom->graph(i)->name() == name) return custom->graph(i);
  }
  ADD_FAILURE() << "no graph " << name.toStdString();
  return nullptr;
}

QCPAxis* loss_value_axis(const LossPlot& plot) { return plot.customPlot()->axisRects().at(0)->axis(QCPAxis::atLeft); }

/// Restores the application's scale when a test ends, pass or fail.
struct ScaleGuard {
  ~ScaleGuard() { PresentationScale::instance()->setFactor(1.0); }
};

TEST(LossPlotStyle, TheFourAccuracyCurvesDifferInLineStyleAndMarkerNotOnlyColour) {
  const LossPlot plot;
  const QStringList names = {QStringLiteral("train accuracy"), QStringLiteral("validation accuracy"),
                             QStringLiteral("twin: train accuracy"), QStringLiteral("twin: validation accuracy")};
  QSet<int> penStyles, markers;
  for (const QString& name : names) {
    QCPGraph* graph = graph_named(plot, name);
    ASSERT_NE(graph, nullptr);
    penStyles.insert(graph->pen().style());
    markers.insert(graph->scatterStyle().shape());
  }
  EXPECT_EQ(penStyles.size(), 4);
  EXPECT_EQ(markers.size(), 4);
}

TEST(LossPlotStyle, TrainAndValidationLossDifferInLineStyleForTheRunAndItsTwin) {
  const LossPlot plot;
  for (const QString& prefix : {QString(), QStringLiteral("twin: ")}) {
    const QCPGraph* train = graph_named(plot, prefix + QStringLiteral("train loss (smoothed)"));
    const QCPGraph* validation = graph_named(plot, prefix + QStringLiteral("validation loss"));
    ASSERT_TRUE(train && validation);
    EXPECT_NE(train->pen().style(), validation->pen().style()) << prefix.toStdString();
  }
  EXPECT_NE(graph_named(plot, QStringLiteral("train loss (smoothed)"))->pen().style(),
            graph_named(plot, QStringLiteral("twin: train loss (smoothed)"))->pen().style());
}

TEST(LossPlotStyle, ColoursComeFromTheColourBlindSafePalette) {
  const LossPlot plot;
  EXPECT_EQ(graph_named(plot, QStringLiteral("train accuracy"))->pen().color(),
            style::curveColor(CurveRun::Transfer, CurveSplit::Train));
  EXPECT_EQ(graph_named(plot, QStringLiteral("validation accuracy"))->pen().color(),
            style::curveColor(CurveRun::Transfer, CurveSplit::Validation));
  EXPECT_EQ(graph_named(plot, QStringLiteral("twin: train accuracy"))->pen().color(),
            style::curveColor(CurveRun::Twin, CurveSplit::Train));
  EXPECT_EQ(graph_named(plot, QStringLiteral("twin: validation accuracy"))->pen().color(),
            style::curveColor(CurveRun::Twin, CurveSplit::Validation));
  EXPECT_EQ(style::curveColor(CurveRun::Transfer, CurveSplit::Train), style::okabe_ito::kBlue);
  EXPECT_EQ(style::curveColor(CurveRun::Transfer, CurveSplit::Validation), style::okabe_ito::kOrange);
}

TEST(LossPlotStyle, APresentationScaleThickensPensAndEnlargesFontsAndMarkers) {
  LossPlot plot;
  plot.resize(1600, 600);  // room for the legend in two rows at twice its size
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  QCPGraph* validation = graph_named(plot, QStringLiteral("validation accuracy"));
  ASSERT_NE(validation, nullptr);
  const double width = validation->pen().widthF();
  const double marker = validation->scatterStyle().size();
  const double tickFont = loss_value_axis(plot)->tickLabelFont().pointSizeF();
  const double legendFont = plot.customPlot()->legend->font().pointSizeF();
  ASSERT_GT(tickFont, 0.0);

  plot.setPresentationScale(2.0);
  EXPECT_DOUBLE_EQ(plot.presentationScale(), 2.0);
  EXPECT_DOUBLE_EQ(validation->pen().widthF(), 2.0 * width);
  EXPECT_DOUBLE_EQ(validation->scatterStyle().size(), 2.0 * marker);
  EXPECT_DOUBLE_EQ(loss_value_axis(plot)->tickLabelFont().pointSizeF(), 2.0 * tickFont);
  EXPECT_DOUBLE_EQ(loss_value_axis(plot)->labelFont().pointSizeF(), 2.0 * tickFont);
  EXPECT_DOUBLE_EQ(plot.customPlot()->legend->font().pointSizeF(), 2.0 * legendFont);
  EXPECT_EQ(validation->pen().style(), Qt::DashLine);  // only the width changes

  plot.setPresentationScale(1.0);
  EXPECT_DOUBLE_EQ(validation->pen().widthF(), width);
  EXPECT_DOUBLE_EQ(loss_value_axis(plot)->tickLabelFont().pointSizeF(), tickFont);
}

// A narrow plot at a large factor: the legend's font gives way before a third row.
TEST(LossPlotStyle, TheLegendKeepsToTwoRowsByShrinkingItsFontNoFurtherThanItsNormalSize) {
  LossPlot plot;
  plot.resize(560, 400);
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  QCPLegend* legend = plot.customPlot()->legend;
  const double normal = legend->font().pointSizeF();
  plot.setPresentationScale(2.5);
  const auto rowsUsed = [legend] {
    int rows = 0;
    for (int row = 0; row < legend->rowCount(); ++row) {
      bool used = false;
      for (int column = 0; column < legend->columnCount(); ++column) used = used || legend->hasElement(row, column);
      rows += used ? 1 : 0;
    }
    return rows;
  };
  EXPECT_LE(rowsUsed(), 2);
  EXPECT_LT(legend->font().pointSizeF(), 2.5 * normal);
  EXPECT_GE(legend->font().pointSizeF(), normal);

  plot.resize(1600, 400);  // room again: the full size comes back
  QCoreApplication::processEvents();
  EXPECT_DOUBLE_EQ(legend->font().pointSizeF(), 2.5 * normal);
  plot.setPresentationScale(1.0);
}

TEST(LossPlotStyle, PlotsFollowTheApplicationScaleAndOneMadeLaterIsNotScaledTwice) {
  const ScaleGuard guard;
  LossPlot before;
  const double tickFont = loss_value_axis(before)->tickLabelFont().pointSizeF();
  PresentationScale::instance()->setFactor(1.5);
  EXPECT_DOUBLE_EQ(before.presentationScale(), 1.5);
  const LossPlot after;
  EXPECT_DOUBLE_EQ(after.presentationScale(), 1.5);
  EXPECT_DOUBLE_EQ(loss_value_axis(after)->tickLabelFont().pointSizeF(), 1.5 * tickFont);
  EXPECT_DOUBLE_EQ(loss_value_axis(before)->tickLabelFont().pointSizeF(), 1.5 * tickFont);
}

TEST(LossPlotStyle, AShortPanelGetsFewerValueTicksSoTheirLabelsDoNotOverlap) {
  LossPlot plot;
  plot.resize(900, 900);
  plot.show();
  plot.customPlot()->replot(QCustomPlot::rpImmediateRefresh);
  EXPECT_EQ(loss_value_axis(plot)->ticker()->tickCount(), 4);

  plot.setPresentationScale(2.5);
  plot.resize(600, 300);
  plot.customPlot()->replot(QCustomPlot::rpImmediateRefresh);
  const int count = loss_value_axis(plot)->ticker()->tickCount();
  EXPECT_LT(count, 4);
  EXPECT_GE(count, 2);
}

}  // namespace
}  // namespace tl
