#pragma once

#include <QGroupBox>
#include <QVector>

class QCustomPlot;
class QLabel;

namespace tl {

/// The live view of a domain-adversarial (DANN) run: the domain
/// classifier's accuracy and the gradient reversal strength λ per epoch as a
/// small plot with the latest values, and the trainer's warning in red when
/// the run looks unhealthy (the classifier still tells the domains apart
/// near 100%: features not aligned; or the task loss diverges).
class DannPanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit DannPanel(QWidget* parent = nullptr);

  QVector<double> lambdaValues() const { return lambdas_; }
  QVector<double> domainAccuracyValues() const { return accuracies_; }  ///< [0, 1]
  QString warningText() const;   ///< the warning shown, "" when none
  QString valuesText() const;    ///< "domain classifier 87.5 % · λ 0.46"
  QCustomPlot* customPlot() const { return plot_; }

 public Q_SLOTS:
  /// A new run: clears the curves and the warning.
  void beginRun();
  /// One epoch's values; domainAccuracy and lambda are −1 when the run has no DANN
  /// (then only a warning is shown).
  void addEpoch(int epoch, double domainAccuracy, double lambda, const QString& warning);

 private:
  QCustomPlot* plot_;
  QLabel* values_;
  QLabel* warning_;
  QVector<double> epochs_;
  QVector<double> accuracies_;
  QVector<double> lambdas_;
};

}  // namespace tl
