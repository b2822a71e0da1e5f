#pragma once

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCustomPlot;

namespace tl {

struct SweepTable;

/// Yosinski et al.'s transferability curve of a sweep: test accuracy (%)
/// against frozen depth, one point per trial with its standard deviation
/// over seeds as an error bar, and the scratch twin's accuracy as a band
/// (mean ± std). When other axes vary too, one line per combination of their
/// values. A sweep without a frozen_depth axis is drawn against its first axis.
class TransferabilityPlot : public QWidget {
  Q_OBJECT

 public:
  struct Point {
    double x = 0, accuracy = 0, error = 0;  ///< accuracy and error in percent
  };
  struct Band {
    double low = 0, mean = 0, high = 0;  ///< percent
  };

  explicit TransferabilityPlot(QWidget* parent = nullptr);
  ~TransferabilityPlot() override;

  /// A sweep with at least one finished trial has a curve.
  static bool appliesTo(const SweepTable& table);
  void setTable(const SweepTable& table);

  /// The field on the x axis ("frozen_depth" when the sweep has it).
  QString xField() const;
  int seriesCount() const;
  QString seriesName(int series) const;
  /// A line's points as drawn (read back from its graph and error bars).
  std::vector<Point> points(int series) const;
  /// The twin bands as drawn: one when every line shares its twin, else one per line.
  int bandCount() const;
  std::optional<Band> band(int index) const;

  QCustomPlot* customPlot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
