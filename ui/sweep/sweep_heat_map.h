#pragma once

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QCustomPlot;

namespace tl {

struct SweepTable;

/// A sweep of exactly two axes as a grid: the first axis across, the second
/// up, one cell per combination coloured by the gain over the twin (points,
/// vermillion below zero, blue above) or the test accuracy, with the value
/// written in the cell and a colour scale beside it. A combination without a
/// finished trial stays blank.
class SweepHeatMap : public QWidget {
  Q_OBJECT

 public:
  enum class Measure { Gain, Accuracy };

  explicit SweepHeatMap(QWidget* parent = nullptr);
  ~SweepHeatMap() override;

  /// Two axes and at least one finished trial.
  static bool appliesTo(const SweepTable& table);
  void setTable(const SweepTable& table);
  void setMeasure(Measure measure);
  Measure measure() const;

  int columns() const;  ///< values of the first axis
  int rows() const;     ///< values of the second axis
  QString columnLabel(int column) const;
  QString rowLabel(int row) const;
  /// The cell's value as drawn; none for a blank cell.
  std::optional<double> cellValue(int column, int row) const;

  QComboBox* measureBox() const;
  QCustomPlot* customPlot() const;

 private:
  void redraw();

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
