// Plots without a scaling of their own follow presentation mode through followPresentationScale.
#include "dann/dann_panel.h"
#include "plot/plot_presentation.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "style/presentation_scale.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

struct ScaleGuard {
  ~ScaleGuard() { PresentationScale::instance()->setFactor(1.0); }
};

TEST(PlotPresentation, ThePlotsFontsAndPensFollowTheFactorAndNewGraphsAskForTheirWidth) {
  const ScaleGuard guard;
  QCustomPlot plot;
  plot.addGraph()->setPen(QPen(Qt::black, 2.0));
  followPresentationScale(&plot, 2.0);
  const double tickFont = plot.xAxis->tickLabelFont().pointSizeF();
  ASSERT_GT(tickFont, 0.0);

  PresentationScale::instance()->setFactor(2.0);
  EXPECT_DOUBLE_EQ(plot.graph(0)->pen().widthF(), 4.0);
  EXPECT_DOUBLE_EQ(plot.xAxis->tickLabelFont().pointSizeF(), 2.0 * tickFont);
  EXPECT_DOUBLE_EQ(plot.yAxis->labelFont().pointSizeF(), 2.0 * tickFont);
  EXPECT_DOUBLE_EQ(plot.legend->font().pointSizeF(), 2.0 * tickFont);
  EXPECT_DOUBLE_EQ(scaledPenWidth(2.0), 4.0);

  PresentationScale::instance()->setFactor(1.0);
  EXPECT_DOUBLE_EQ(plot.graph(0)->pen().widthF(), 2.0);
  EXPECT_DOUBLE_EQ(plot.xAxis->tickLabelFont().pointSizeF(), tickFont);
}

TEST(PlotPresentation, TheDannPanelUsesThePaletteAndFollowsTheFactor) {
  const ScaleGuard guard;
  DannPanel panel;
  QCustomPlot* plot = panel.customPlot();
  ASSERT_EQ(plot->graphCount(), 2);
  EXPECT_EQ(plot->graph(0)->pen().color(), style::domainAccuracyColor());
  EXPECT_EQ(plot->graph(1)->pen().color(), style::lambdaColor());
  EXPECT_NE(plot->graph(0)->pen().style(), plot->graph(1)->pen().style());
  const double width = plot->graph(0)->pen().widthF();
  PresentationScale::instance()->setFactor(1.5);
  EXPECT_DOUBLE_EQ(plot->graph(0)->pen().widthF(), 1.5 * width);
  EXPECT_DOUBLE_EQ(plot->graph(1)->pen().widthF(), 1.5 * width);
}

TEST(PlotPresentation, ManyCurvesChangeColourAndLineStyleFromOneToTheNext) {
  for (int i = 0; i + 1 < 28; ++i) {
    EXPECT_NE(style::seriesColor(i), style::seriesColor(i + 1)) << i;
    EXPECT_NE(style::seriesPenStyle(i), style::seriesPenStyle(i + 1)) << i;
  }
}

}  // namespace
}  // namespace tl
