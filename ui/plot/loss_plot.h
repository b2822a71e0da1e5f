#pragma once

#include "experiment/job_identity.h"

#include <QPointF>
#include <QStandardPaths>
#include <QString>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

class QCustomPlot;
class QContextMenuEvent;
class QResizeEvent;

namespace tl {

/// Live training curves on a shared epoch axis: loss on top (per batch raw and
/// smoothed, validation per epoch), accuracy below (per epoch). Points are
/// buffered and drawn by a 25 Hz timer, never one replot per batch. The
/// previous run stays visible, faint, for comparison. Colours come from
/// style/palette.h; train and validation also differ in line style and marker.
///
/// A comparison (transfer run vs its twin over seeds) announces each job with
/// beginJob(): a twin's points go to their own curves (dotted or dash-dotted,
/// triangles, named after the twin in the legend); when the next seed's transfer run
/// begins, the earlier seed's transfer and twin curves stay, faint.
class LossPlot : public QWidget {
  Q_OBJECT

 public:
  enum class Series { TrainLossRaw, TrainLossSmoothed, ValLoss, TrainAccuracy, ValAccuracy };
  Q_ENUM(Series)

  static constexpr int kRefreshIntervalMs = 40;  ///< 25 Hz
  /// EMA weight of the past for the smoothed loss: spans half an epoch, 4 to 50 batches.
  static double smoothingFor(int batchesPerEpoch);

  explicit LossPlot(QWidget* parent = nullptr);
  ~LossPlot() override;

  /// Points drawn for the current run (pending ones not yet included).
  int pointCount(Series series) const;
  /// The drawn points of the current run as (epoch, value); accuracy in %.
  QVector<QPointF> points(Series series) const;
  /// Points kept from the previous run.
  int previousPointCount(Series series) const;
  /// Points received but not drawn yet.
  int pendingPointCount() const;
  QString currentRunName() const;
  /// The twin's drawn points in this run (beginJob with a twin label).
  int twinPointCount(Series series) const;
  QVector<QPointF> twinPoints(Series series) const;
  /// "scratch twin", "source-only twin"; empty before a twin job.
  QString twinName() const;
  /// Faint curves kept from earlier seeds of this comparison.
  int earlierSeedCurveCount() const;

  /// Labels of the current run's markers (addMarker), in order.
  QStringList markerLabels() const;
  /// Their positions in epochs.
  QVector<double> markerPositions() const;

  /// "validation loss · epoch 2.00 · 0.412" for the point nearest to `pixel`
  /// (within a few pixels), or empty: what the hover tooltip shows.
  QString valueTextAt(const QPoint& pixel) const;

  /// Export at a fixed size so the file does not depend on the window.
  bool exportPng(const QString& path, int width = 1200, int height = 800);
  bool exportPdf(const QString& path, int width = 1200, int height = 800);

  QCustomPlot* customPlot() const;

  /// Presentation mode's factor (1 normally): axis, legend and title fonts and
  /// pen widths and markers grow by it. Follows PresentationScale by itself.
  double presentationScale() const;

 public Q_SLOTS:
  /// The current curves become the faint previous run; the x axis spans `epochs`.
  void beginRun(const QString& name, int epochs);
  /// A comparison job begins (a seed's transfer run or its twin): the
  /// following points belong to it. Call after beginRun.
  void beginJob(const tl::JobIdentity& job);
  /// A dashed vertical line across both panels at `epochPosition` (in epochs,
  /// as the batch points: epoch − 1 + batch / batchesPerEpoch) with a short
  /// label at its top: a change made during the run, such as a new freeze
  /// plan. The markers belong to the current run; beginRun removes them.
  void addMarker(double epochPosition, const QString& label);
  void addBatch(int epoch, int batch, int batchesPerEpoch, double loss);
  void addEpoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy);
  /// Removes current and previous curves.
  void clear();
  /// Draws buffered points now; the timer calls it.
  void flushPending();
  /// Back to following the data after the user zoomed or dragged.
  void resetZoom();
  void setPresentationScale(double scale);
  void exportPngWithDialog();
  void exportPdfWithDialog();

 Q_SIGNALS:
  void exported(const QString& path);
  void exportFailed(const QString& message);

 protected:
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  /// Asks where to save (starting in `folder`), writes with `write` and
  /// reports the outcome through exported() / exportFailed().
  void exportWithDialog(const QString& title, QStandardPaths::StandardLocation folder, const QString& fileName,
                        const QString& filter, const std::function<bool(const QString&)>& write);

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
