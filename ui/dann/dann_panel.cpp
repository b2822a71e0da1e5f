#include "dann/dann_panel.h"

#include "plot/plot_presentation.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace tl {
namespace {

constexpr double kPenWidth = 2.0;

}  // namespace

DannPanel::DannPanel(QWidget* parent)
    : QGroupBox(tr("Domain adaptation (DANN)"), parent), plot_(new QCustomPlot), values_(new QLabel),
      warning_(new QLabel) {
  setObjectName(QStringLiteral("dannPanel"));
  setToolTip(tr("The domain classifier should drift towards 50% (it can no longer tell source from target "
                "features) while λ, the gradient reversal strength, rises from 0 to 1."));
  // One axis for both: the accuracy as a fraction shares λ's 0–1 range.
  QCPGraph* accuracy = plot_->addGraph();
  accuracy->setName(tr("domain classifier accuracy"));
  accuracy->setPen(QPen(style::domainAccuracyColor(), kPenWidth));
  accuracy->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, style::domainAccuracyColor(), 5));
  QCPGraph* lambda = plot_->addGraph();
  lambda->setName(tr("λ"));
  lambda->setPen(QPen(style::lambdaColor(), kPenWidth, Qt::DashLine));
  plot_->yAxis->setRange(0.0, 1.05);
  plot_->yAxis->ticker()->setTickCount(3);
  plot_->xAxis->setLabel(tr("Epoch"));
  plot_->legend->setVisible(true);
  followPresentationScale(plot_, kPenWidth, -1.5);  // small fonts: the panel is narrow
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  plot_->setMinimumHeight(120);
  values_->setObjectName(QStringLiteral("dannValues"));
  values_->setWordWrap(true);  // the panel is narrow; the numbers must not be cut
  warning_->setObjectName(QStringLiteral("dannWarning"));
  warning_->setWordWrap(true);
  warning_->setStyleSheet(QStringLiteral("QLabel { background: #f8d0d0; color: #7a0000; font-weight: bold; "
                                         "padding: 3px; border-radius: 3px; }"));
  warning_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(plot_, 1);
  layout->addWidget(values_);
  layout->addWidget(warning_);
  beginRun();
}

QString DannPanel::warningText() const { return warning_->isHidden() ? QString() : warning_->text(); }
QString DannPanel::valuesText() const { return values_->text(); }

void DannPanel::beginRun() {
  epochs_.clear();
  accuracies_.clear();
  lambdas_.clear();
  plot_->graph(0)->data()->clear();
  plot_->graph(1)->data()->clear();
  plot_->xAxis->setRange(0.5, 1.5);
  values_->setText(tr("waiting for the first epoch…"));
  warning_->clear();
  warning_->hide();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void DannPanel::addEpoch(int epoch, double domainAccuracy, double lambda, const QString& warning) {
  // A warning from a run without DANN (diverging loss) still deserves the red line.
  const bool dann = domainAccuracy >= 0.0 || lambda >= 0.0;
  if (!warning.isEmpty()) {
    warning_->setText(tr("⚠ %1").arg(warning));
    warning_->show();
  } else if (dann) {
    warning_->hide();  // a DANN run reports every epoch: no warning now means healthy again
  }
  if (!dann) return;
  epochs_ << epoch;
  accuracies_ << domainAccuracy;
  lambdas_ << lambda;
  plot_->graph(0)->setData(epochs_, accuracies_, /*alreadySorted=*/true);
  plot_->graph(1)->setData(epochs_, lambdas_, true);
  plot_->xAxis->setRange(0.5, std::max(1.5, epoch + 0.5));
  values_->setText(tr("Epoch %1: domain classifier %2 %, λ %3")
                       .arg(epoch)
                       .arg(100.0 * domainAccuracy, 0, 'f', 1)
                       .arg(lambda, 0, 'f', 2));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace tl
