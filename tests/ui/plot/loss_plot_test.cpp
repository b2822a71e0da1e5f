#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "support/ui_wait.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QTemporaryDir>

#include <limits>

namespace tl {
namespace {

using Series = LossPlot::Series;

/// One epoch of `batches` batches with a falling loss, then its epoch summary.
void add_epoch(LossPlot& plot, int epoch, int batches = 10) {
  for (int b = 1; b <= batches; ++b) plot.addBatch(epoch, b, batches, 2.0 / (epoch + 0.1 * b));
  plot.addEpoch(epoch, 1.0 / epoch, 0.5 + 0.1 * epoch, 1.2 / epoch, 0.45 + 0.1 * epoch);
}

TEST(LossPlot, BuffersPointsUntilTheTimerDrawsThem) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("a"), 3);
  add_epoch(plot, 1);

  // Nothing is drawn per point: the batch arrived, the graphs are unchanged.
  EXPECT_EQ(plot.pointCount(Series::TrainLossRaw), 0);
  EXPECT_EQ(plot.pendingPointCount(), 10 + 10 + 3);

  ASSERT_TRUE(test::wait_until([&] { return plot.pendingPointCount() == 0; }, 5000));
  EXPECT_EQ(plot.pointCount(Series::TrainLossRaw), 10);
  EXPECT_EQ(plot.pointCount(Series::TrainLossSmoothed), 10);
  EXPECT_EQ(plot.pointCount(Series::ValLoss), 1);
  EXPECT_EQ(plot.pointCount(Series::TrainAccuracy), 1);
  EXPECT_EQ(plot.pointCount(Series::ValAccuracy), 1);
}

TEST(LossPlot, NewRunKeepsThePreviousCurvesFaintly) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("first"), 2);
  add_epoch(plot, 1);
  add_epoch(plot, 2);
  plot.flushPending();

  plot.beginRun(QStringLiteral("second"), 2);
  EXPECT_EQ(plot.currentRunName(), QStringLiteral("second"));
  EXPECT_EQ(plot.previousPointCount(Series::TrainLossSmoothed), 20);
  EXPECT_EQ(plot.previousPointCount(Series::ValLoss), 2);
  EXPECT_EQ(plot.previousPointCount(Series::ValAccuracy), 2);
  EXPECT_EQ(plot.previousPointCount(Series::TrainLossRaw), 0);  // raw noise is not kept
  EXPECT_EQ(plot.pointCount(Series::TrainLossSmoothed), 0);

  add_epoch(plot, 1);
  plot.flushPending();
  EXPECT_EQ(plot.pointCount(Series::ValLoss), 1);
  EXPECT_EQ(plot.previousPointCount(Series::ValLoss), 2);

  plot.clear();
  EXPECT_EQ(plot.previousPointCount(Series::ValLoss), 0);
  EXPECT_EQ(plot.pointCount(Series::ValLoss), 0);
}

TEST(LossPlot, PointsOfARunBufferedBeforeANewRunAreNotLost) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("first"), 1);
  add_epoch(plot, 1);
  plot.beginRun(QStringLiteral("second"), 1);  // before any timer tick
  EXPECT_EQ(plot.previousPointCount(Series::ValAccuracy), 1);
  EXPECT_EQ(plot.pendingPointCount(), 0);
}

TEST(LossPlot, BatchesSitAtFractionalEpochsAndTheSmoothedCurveStartsOnTheData) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("a"), 2);
  plot.addBatch(1, 1, 4, 2.0);
  plot.addBatch(1, 2, 4, 2.0);
  plot.addBatch(2, 4, 4, 1.0);
  plot.flushPending();
  const QVector<QPointF> raw = plot.points(Series::TrainLossRaw);
  ASSERT_EQ(raw.size(), 3);
  EXPECT_DOUBLE_EQ(raw[0].x(), 0.25);
  EXPECT_DOUBLE_EQ(raw[2].x(), 2.0);
  const QVector<QPointF> smoothed = plot.points(Series::TrainLossSmoothed);
  ASSERT_EQ(smoothed.size(), 3);
  // Bias-corrected: a constant loss gives exactly that constant, from the first batch on.
  EXPECT_DOUBLE_EQ(smoothed[0].y(), 2.0);
  EXPECT_DOUBLE_EQ(smoothed[1].y(), 2.0);
  EXPECT_GT(smoothed[2].y(), 1.0);
  EXPECT_LT(smoothed[2].y(), 2.0);
}

TEST(LossPlot, AccuracyIsDrawnInPercent) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("a"), 1);
  plot.addEpoch(1, 0.5, 0.8, 0.6, 0.75);
  plot.flushPending();
  ASSERT_EQ(plot.points(Series::ValAccuracy).size(), 1);
  EXPECT_DOUBLE_EQ(plot.points(Series::ValAccuracy)[0].y(), 75.0);
  EXPECT_DOUBLE_EQ(plot.points(Series::TrainAccuracy)[0].y(), 80.0);
}

TEST(LossPlot, NonFiniteLossIsSkipped) {
  LossPlot plot;
  plot.beginRun(QStringLiteral("a"), 1);
  plot.addBatch(1, 1, 2, std::numeric_limits<double>::quiet_NaN());
  plot.addBatch(1, 2, 2, 0.5);
  plot.flushPending();
  EXPECT_EQ(plot.pointCount(Series::TrainLossRaw), 1);
}

TEST(LossPlot, HoverTextNamesTheNearestPoint) {
  LossPlot plot;
  plot.resize(800, 600);
  plot.show();
  plot.beginRun(QStringLiteral("a"), 2);
  add_epoch(plot, 1);
  add_epoch(plot, 2);
  plot.flushPending();
  QCustomPlot* custom = plot.customPlot();
  custom->replot(QCustomPlot::rpImmediateRefresh);

  QCPAxisRect* accuracyRect = custom->axisRects().at(1);
  const QPoint pixel(qRound(accuracyRect->axis(QCPAxis::atBottom)->coordToPixel(2.0)),
                     qRound(accuracyRect->axis(QCPAxis::atLeft)->coordToPixel(65.0)));
  const QString text = plot.valueTextAt(pixel);
  EXPECT_TRUE(text.startsWith(QStringLiteral("validation accuracy"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("epoch 2.00"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("65.0 %"))) << text.toStdString();
  EXPECT_TRUE(plot.valueTextAt(QPoint(2, 2)).isEmpty());
}

TEST(LossPlot, ExportWritesNonEmptyPngAndPdf) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  LossPlot plot;
  plot.beginRun(QStringLiteral("a"), 2);
  add_epoch(plot, 1);
  add_epoch(plot, 2);

  const QString png = dir.filePath(QStringLiteral("curves.png"));
  const QString pdf = dir.filePath(QStringLiteral("curves.pdf"));
  ASSERT_TRUE(plot.exportPng(png, 900, 600));
  ASSERT_TRUE(plot.exportPdf(pdf, 900, 600));

  const QImage image(png);
  EXPECT_EQ(image.size(), QSize(900, 600));
  QFile file(pdf);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  EXPECT_GT(file.size(), 1000);
  EXPECT_TRUE(file.read(4) == "%PDF");
}

}  // namespace
}  // namespace tl
