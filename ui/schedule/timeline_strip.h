#pragma once

#include "session/experiment_session.h"

#include <QColor>
#include <QVector>
#include <QWidget>

namespace tl {

/// Under the curves: when each block trains over the run and at what
/// learning rate, from core's schedule_timeline of the session's plan, model
/// and config. One row per block (the input at the bottom, the head at the
/// top), one column per epoch; a frozen cell is grey and hatched, a training
/// one blue, darker for a higher rate (log scale, legend on the right). A
/// vertical line marks the epoch a run is training. Hidden while the
/// schedule is the default, which changes nothing over a run.
class TimelineStrip : public QWidget {
  Q_OBJECT

 public:
  explicit TimelineStrip(ExperimentSession* session, QWidget* parent = nullptr);

  /// The timeline drawn, blocks from the input up, then the head.
  const QVector<ScheduleTimelineRow>& rows() const { return rows_; }
  /// Frozen cells' colour; a training cell's comes from lrColor.
  static QColor frozenColor();
  /// The colour of a cell at learning rate `lr` on the strip's current scale.
  QColor lrColor(double lr) const;
  /// The rectangle of the cell of `row` (index in rows()) and 1-based `epoch`.
  QRect cellRect(int row, int epoch) const;

  /// A run's batches per epoch, which places each epoch's first step among the
  /// run's steps. Before a run 100 stand in: the rates at epoch starts depend
  /// on the count only through the rounding of the one-cycle warm-up's end
  /// (a step), which 100 per epoch keeps within 1% of an epoch.
  void setBatchesPerEpoch(qint64 batches);
  /// The epoch a run is training (1-based), 0 for none.
  void setCurrentEpoch(int epoch);
  int currentEpoch() const { return currentEpoch_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  void refresh();
  QFont stripFont() const;
  int rowHeight() const;
  QRect gridRect() const;
  int labelWidth() const;
  int legendWidth() const;
  void paintLegend(QPainter& painter, const QRect& area) const;

  ExperimentSession* session_;
  QVector<ScheduleTimelineRow> rows_;
  qint64 batchesPerEpoch_ = 100;
  int currentEpoch_ = 0;
  double lowestLr_ = 0.0;   ///< the smallest non-zero rate in rows_
  double highestLr_ = 0.0;
};

}  // namespace tl
