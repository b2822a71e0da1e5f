#include "analysis/confusion_plot.h"

#include "support/analysis_fixtures.h"

#include "plot/qcustomplot_no_keywords.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QFontMetrics>
#include <QSignalSpy>
#include <QTest>

namespace tl {
namespace {

using Panel = ConfusionPlot::Panel;

/// Every cell's value of `panel`, row-major.
std::vector<double> valuesOf(const ConfusionPlot& plot, Panel panel) {
  std::vector<double> values;
  for (int r = 0; r < plot.classes(); ++r)
    for (int c = 0; c < plot.classes(); ++c) values.push_back(plot.cellValue(panel, r, c));
  return values;
}

QStringList textsOf(const ConfusionPlot& plot, Panel panel) {
  QStringList texts;
  for (int r = 0; r < plot.classes(); ++r)
    for (int c = 0; c < plot.classes(); ++c) texts << plot.cellText(panel, r, c);
  return texts;
}

class ConfusionPlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plot.resize(1200, 500);
    plot.setMatrices(transfer, &twin, QStringLiteral("scratch twin"));
  }
  ConfusionMatrix transfer = test::transferMatrix();
  ConfusionMatrix twin = test::twinMatrix();
  ConfusionPlot plot;
};

TEST_F(ConfusionPlotTest, EveryCellShowsTheMatrixCount) {
  EXPECT_EQ(plot.classes(), 3);
  EXPECT_EQ(valuesOf(plot, Panel::Transfer), (std::vector<double>{2, 2, 0, 0, 3, 1, 1, 0, 3}));
  EXPECT_EQ(textsOf(plot, Panel::Transfer),
            (QStringList{"2", "2", "0", "0", "3", "1", "1", "0", "3"}));
  EXPECT_EQ(valuesOf(plot, Panel::Twin), (std::vector<double>{1, 1, 2, 1, 2, 1, 2, 0, 2}));
  EXPECT_EQ(textsOf(plot, Panel::Twin), (QStringList{"1", "1", "2", "1", "2", "1", "2", "0", "2"}));
}

TEST_F(ConfusionPlotTest, DifferenceIsTransferMinusTwinCellByCell) {
  EXPECT_EQ(valuesOf(plot, Panel::Difference), (std::vector<double>{1, 1, -2, -1, 1, 0, -1, 0, 1}));
  EXPECT_EQ(textsOf(plot, Panel::Difference),
            (QStringList{"+1", "+1", "−2", "−1", "+1", "0", "−1", "0", "+1"}));
}

TEST_F(ConfusionPlotTest, TransferAndTwinShareOneColourScale) {
  auto* transferMap = qobject_cast<QCPColorMap*>(plot.customPlot()->plottable(0));
  auto* twinMap = qobject_cast<QCPColorMap*>(plot.customPlot()->plottable(1));
  ASSERT_TRUE(transferMap && twinMap);
  EXPECT_EQ(transferMap->colorScale(), twinMap->colorScale());
  EXPECT_EQ(transferMap->dataRange(), QCPRange(0, 3));
}

TEST_F(ConfusionPlotTest, ToggleShowsRowNormalisedShares) {
  plot.normaliseToggle()->click();
  ASSERT_TRUE(plot.isRowNormalised());
  const std::vector<double> expected = transfer.row_normalised();
  EXPECT_EQ(valuesOf(plot, Panel::Transfer), expected);
  EXPECT_EQ(valuesOf(plot, Panel::Twin), twin.row_normalised());
  EXPECT_EQ(textsOf(plot, Panel::Transfer),
            (QStringList{"50%", "50%", "0%", "0%", "75%", "25%", "25%", "0%", "75%"}));
  // The difference in points of each true class's share.
  EXPECT_EQ(textsOf(plot, Panel::Difference),
            (QStringList{"+25", "+25", "−50", "−25", "+25", "0", "−25", "0", "+25"}));
  EXPECT_DOUBLE_EQ(plot.cellValue(Panel::Difference, 0, 2), -50.0);

  plot.normaliseToggle()->click();
  EXPECT_EQ(valuesOf(plot, Panel::Transfer), (std::vector<double>{2, 2, 0, 0, 3, 1, 1, 0, 3}));
}

TEST_F(ConfusionPlotTest, ClickingACellReportsItsPanelAndClasses) {
  plot.show();
  QSignalSpy activated(&plot, &ConfusionPlot::cellActivated);
  QTest::mouseClick(plot.customPlot(), Qt::LeftButton, Qt::NoModifier, plot.cellCentre(Panel::Twin, 2, 0));
  ASSERT_EQ(activated.count(), 1);
  EXPECT_EQ(activated[0][0].value<Panel>(), Panel::Twin);
  EXPECT_EQ(activated[0][1].toInt(), 2);
  EXPECT_EQ(activated[0][2].toInt(), 0);

  QTest::mouseClick(plot.customPlot(), Qt::LeftButton, Qt::NoModifier, plot.cellCentre(Panel::Transfer, 0, 1));
  ASSERT_EQ(activated.count(), 2);
  EXPECT_EQ(activated[1][0].value<Panel>(), Panel::Transfer);
  EXPECT_EQ(activated[1][1].toInt(), 0);
  EXPECT_EQ(activated[1][2].toInt(), 1);
  // Other buttons (a context menu) open nothing.
  QTest::mouseClick(plot.customPlot(), Qt::RightButton, Qt::NoModifier, plot.cellCentre(Panel::Transfer, 0, 1));
  EXPECT_EQ(activated.count(), 2);
}

TEST_F(ConfusionPlotTest, ThePanelsCellsAreOfOneSize) {
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  const auto cellWidth = [this](Panel panel) {
    return plot.cellCentre(panel, 0, 1).x() - plot.cellCentre(panel, 0, 0).x();
  };
  ASSERT_GT(cellWidth(Panel::Transfer), 10);
  EXPECT_NEAR(cellWidth(Panel::Transfer), cellWidth(Panel::Twin), 1);
  EXPECT_NEAR(cellWidth(Panel::Transfer), cellWidth(Panel::Difference), 1);
}

TEST_F(ConfusionPlotTest, CellsAreSquareInAWideAndInATallPlot) {
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  for (const QSize size : {QSize(1200, 500), QSize(700, 900)}) {
    plot.resize(size);
    for (const Panel panel : {Panel::Transfer, Panel::Twin, Panel::Difference}) {
      const QRect cell = plot.cellRect(panel, 1, 2);
      ASSERT_GT(cell.width(), 10);
      EXPECT_NEAR(cell.width(), cell.height(), 1) << size.width() << "x" << size.height();
    }
  }
}

TEST_F(ConfusionPlotTest, CountsShrinkToFitTheirCellsAndAreLeftToTheTooltipWhenNoFontFits) {
  const ConfusionMatrix large = test::diagonalMatrix(10, 500, 482);
  plot.setMatrices(large);
  plot.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
  plot.resize(700, 600);
  const std::optional<QFont> font = plot.cellFont(Panel::Transfer);
  ASSERT_TRUE(font.has_value());
  EXPECT_LE(QFontMetrics(*font, plot.customPlot()).horizontalAdvance(QStringLiteral("482")),
            plot.cellRect(Panel::Transfer, 0, 0).width());

  plot.resize(260, 200);
  EXPECT_FALSE(plot.cellFont(Panel::Transfer).has_value());
  const QString tip = plot.cellToolTip(plot.cellCentre(Panel::Transfer, 3, 3));
  EXPECT_TRUE(tip.startsWith(QStringLiteral("Transfer: class 3 predicted as class 3: 482"))) << tip.toStdString();
}

TEST_F(ConfusionPlotTest, RunWithoutTwinShowsOnlyTheTransferPanel) {
  plot.setMatrices(transfer);
  EXPECT_TRUE(plot.hasPanel(Panel::Transfer));
  EXPECT_FALSE(plot.hasPanel(Panel::Twin));
  EXPECT_FALSE(plot.hasPanel(Panel::Difference));
  EXPECT_EQ(plot.cellText(Panel::Transfer, 1, 1), QStringLiteral("3"));
}

TEST_F(ConfusionPlotTest, ExportsPngAndPdf) {
  QTemporaryDir dir;
  const QString png = dir.filePath(QStringLiteral("confusion.png"));
  ASSERT_TRUE(plot.exportPng(png, 900, 400));
  EXPECT_EQ(QImage(png).size(), QSize(900, 400));
  ASSERT_TRUE(plot.exportPdf(dir.filePath(QStringLiteral("confusion.pdf"))));
  EXPECT_GT(QFileInfo(dir.filePath(QStringLiteral("confusion.pdf"))).size(), 0);
}

}  // namespace
}  // namespace tl
