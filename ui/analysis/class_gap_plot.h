#pragma once

// Torch-free (Q_OBJECT): PerClassGap is only declared here.

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCustomPlot;
class QLabel;

namespace tl {

struct PerClassGap;

/// The per-class transfer gap: one bar per class, transfer minus twin test
/// accuracy in points. Over several seeds the bar is the mean of the paired
/// differences with their standard deviation as an error bar; with one seed
/// the single gap. Bars below zero (classes where transfer hurt) are orange
/// and hatched, those above blue and solid, each labelled with its signed
/// value, so the sign reads without telling colours apart.
class ClassGapPlot : public QWidget {
  Q_OBJECT

 public:
  /// What one class's bar shows.
  struct Bar {
    double points = 0.0;
    std::optional<double> spread;  ///< the std over seeds, when the bar is a mean
  };
  /// The bar of `gap`: mean ± std over seeds when there are several, else
  /// the single gap; none when the run has no twin to compare with.
  static std::optional<Bar> barFor(const PerClassGap& gap);

  explicit ClassGapPlot(QWidget* parent = nullptr);
  ~ClassGapPlot() override;

  void setGaps(const std::vector<PerClassGap>& gaps, const QString& twinName = QString());
  void clear();

  int classes() const;
  /// The class's bar as drawn; none for a class without a gap.
  std::optional<Bar> bar(int classIndex) const;
  /// Drawn as a negative bar (orange, hatched).
  bool isMarkedNegative(int classIndex) const;
  /// The text over the plot when it has no bars ("No twin: ..."); empty otherwise.
  QString emptyText() const;

  QCustomPlot* customPlot() const;
  bool exportPng(const QString& path, int width = 1200, int height = 600);
  bool exportPdf(const QString& path, int width = 1200, int height = 600);
  QByteArray pngBytes(int width = 1200, int height = 600);

 private:
  void redraw(const QString& twinName);

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace tl
