#pragma once

// Torch-free (Q_OBJECT): ConfusionMatrix is only declared here.

#include <QFont>
#include <QPoint>
#include <QRect>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QCustomPlot;

namespace tl {

struct ConfusionMatrix;

/// Confusion matrices on the test split as heat maps, rows the true class
/// (top to bottom), columns the predicted class, class names on both axes and
/// each cell's value written in it (in a font that fits the cell; in cells too
/// small for any readable font only the colour and the tooltip tell it). Cells
/// are square. A run with a twin shows three panels side
/// by side: the transfer model's and the twin's matrix on one colour scale,
/// and their difference (transfer − twin) on a diverging blue–orange scale.
/// A toggle switches counts to row-normalised fractions (each true class's
/// images spread over the predictions; the difference then in points).
/// Clicking a cell emits cellActivated.
class ConfusionPlot : public QWidget {
  Q_OBJECT

 public:
  enum class Panel { Transfer, Twin, Difference };
  Q_ENUM(Panel)

  explicit ConfusionPlot(QWidget* parent = nullptr);
  ~ConfusionPlot() override;

  /// Shows `transfer`, and when `twin` is given (same classes) the twin's
  /// panel, titled `twinName`, and the difference panel.
  void setMatrices(const ConfusionMatrix& transfer, const ConfusionMatrix* twin = nullptr,
                   const QString& twinName = QString());
  void clear();

  void setRowNormalised(bool normalised);
  bool isRowNormalised() const;

  bool hasPanel(Panel panel) const;
  int classes() const;
  /// The value drawn in a cell: a count, a fraction in [0, 1] when row-normalised,
  /// a count or points difference in the difference panel.
  double cellValue(Panel panel, int trueClass, int predicted) const;
  /// The text written in the cell ("78", "31%", "+4").
  QString cellText(Panel panel, int trueClass, int predicted) const;
  /// The cell's centre in customPlot()'s pixels (lays the plot out first).
  QPoint cellCentre(Panel panel, int trueClass, int predicted) const;
  /// The cell in customPlot()'s pixels (lays the plot out first).
  QRect cellRect(Panel panel, int trueClass, int predicted) const;
  /// The font the panel's cell texts are drawn in on screen; nullopt when the
  /// cells are too small for them (the tooltip tells the value then).
  std::optional<QFont> cellFont(Panel panel) const;
  /// What hovering `pixel` of customPlot() shows: the cell's classes and value.
  QString cellToolTip(const QPoint& pixel) const;

  QCustomPlot* customPlot() const;
  QCheckBox* normaliseToggle() const;

  /// Fixed-size exports, so a file does not depend on the window.
  bool exportPng(const QString& path, int width = 1500, int height = 600);
  bool exportPdf(const QString& path, int width = 1500, int height = 600);
  /// The PNG file's bytes, for writers that replace files atomically.
  QByteArray pngBytes(int width = 1500, int height = 600);

 Q_SIGNALS:
  /// A cell was clicked: the images of `trueClass` predicted as `predicted`
  /// by the panel's model (the transfer model for the difference panel).
  void cellActivated(tl::ConfusionPlot::Panel panel, int trueClass, int predicted);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void redraw();
  void handleClick(const QPoint& pixel);

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
