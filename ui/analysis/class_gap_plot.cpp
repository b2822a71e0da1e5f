#include "analysis/class_gap_plot.h"

#include "analysis/run_analysis.h"
#include "analysis/plot_png.h"
#include "plot/qcustomplot_no_keywords.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl {

namespace {

// The Okabe–Ito blue and orange: distinct for every common colour-vision deficiency.
const QColor kGainColour(0, 114, 178);
const QColor kLossColour(213, 94, 0);

QString signedPoints(double points) {
  const QString magnitude = QString::number(std::abs(points), 'f', 1);
  if (magnitude == QStringLiteral("0.0")) return magnitude;
  return (points > 0 ? QStringLiteral("+") : QStringLiteral("−")) + magnitude;
}

}  // namespace

struct ClassGapPlot::Impl {
  QCustomPlot* plot = nullptr;
  QLabel* empty = nullptr;
  QStringList classNames;
  std::vector<std::optional<Bar>> bars;

  QCPBars* addBars(bool negative);
  void addErrorBars(QCPBars* bars, const std::vector<int>& classes);
  void fitValueRange();
};

std::optional<ClassGapPlot::Bar> ClassGapPlot::barFor(const PerClassGap& gap) {
  if (gap.seeds > 1 && gap.gap_points_over_seeds) {
    return Bar{gap.gap_points_over_seeds->mean, gap.gap_points_over_seeds->std};
  }
  if (gap.gap_points) return Bar{*gap.gap_points, std::nullopt};
  return std::nullopt;
}

QCPBars* ClassGapPlot::Impl::addBars(bool negative) {
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setWidth(0.6);
  const QColor colour = negative ? kLossColour : kGainColour;
  bars->setPen(QPen(colour.darker(130), 1.2));
  // Hatching marks the classes where transfer hurt even in grey print.
  bars->setBrush(negative ? QBrush(colour, Qt::BDiagPattern) : QBrush(colour));
  bars->setName(negative ? QObject::tr("transfer below twin") : QObject::tr("transfer above twin"));
  std::vector<int> classes;
  for (int i = 0; i < static_cast<int>(this->bars.size()); ++i) {
    const auto& bar = this->bars[static_cast<size_t>(i)];
    if (!bar || (bar->points < 0) != negative) continue;
    bars->addData(i, bar->points);
    classes.push_back(i);
  }
  if (classes.empty()) bars->removeFromLegend();
  addErrorBars(bars, classes);
  return bars;
}

void ClassGapPlot::Impl::addErrorBars(QCPBars* bars, const std::vector<int>& classes) {
  QVector<double> spreads;
  bool any = false;
  for (int i : classes) {
    const auto& spread = this->bars[static_cast<size_t>(i)]->spread;
    spreads << spread.value_or(0.0);
    any = any || spread.has_value();
  }
  if (!any) return;
  auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
  errors->removeFromLegend();
  errors->setDataPlottable(bars);
  errors->setData(spreads);
  errors->setPen(QPen(Qt::black, 1.2));
  errors->setWhiskerWidth(10);
}

void ClassGapPlot::Impl::fitValueRange() {
  double low = 0.0, high = 0.0;
  for (const auto& bar : bars) {
    if (!bar) continue;
    const double spread = bar->spread.value_or(0.0);
    low = std::min(low, bar->points - spread);
    high = std::max(high, bar->points + spread);
  }
  const double pad = std::max(1.0, 0.15 * (high - low));
  plot->yAxis->setRange(low - pad, high + pad);
}

ClassGapPlot::ClassGapPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Impl>()) {
  d->plot = new QCustomPlot(this);
  d->empty = new QLabel(this);
  d->empty->setWordWrap(true);
  d->empty->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d->empty);
  layout->addWidget(d->plot, 1);
  d->plot->legend->setVisible(true);
  d->plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  d->plot->xAxis->grid()->setVisible(false);
  d->plot->xAxis->setTickLabelRotation(45);
  clear();
}

ClassGapPlot::~ClassGapPlot() = default;

void ClassGapPlot::setGaps(const std::vector<PerClassGap>& gaps, const QString& twinName) {
  d->classNames.clear();
  d->bars.clear();
  for (const PerClassGap& gap : gaps) {
    d->classNames << QString::fromStdString(gap.class_name);
    d->bars.push_back(barFor(gap));
  }
  redraw(twinName.isEmpty() ? tr("twin") : twinName);
}

void ClassGapPlot::clear() {
  d->classNames.clear();
  d->bars.clear();
  redraw(QString());
}

void ClassGapPlot::redraw(const QString& twinName) {
  QCustomPlot* plot = d->plot;
  plot->clearPlottables();
  plot->clearItems();
  const bool anyBar = std::any_of(d->bars.begin(), d->bars.end(), [](const auto& bar) { return bar.has_value(); });
  d->empty->setText(d->classNames.isEmpty() || anyBar
                        ? QString()
                        : tr("No per-class gap: this run has no twin to compare with."));
  d->empty->setVisible(!d->empty->text().isEmpty());

  QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
  for (int i = 0; i < d->classNames.size(); ++i) names->addTick(i, d->classNames[i]);
  plot->xAxis->setTicker(names);
  plot->xAxis->setRange(-0.6, std::max<int>(1, static_cast<int>(d->classNames.size())) - 0.4);
  plot->yAxis->setLabel(tr("transfer − %1, points (below 0: transfer hurt)").arg(twinName));
  if (anyBar) {
    d->addBars(false);
    d->addBars(true);
    auto* zero = new QCPItemStraightLine(plot);
    zero->point1->setCoords(0, 0);
    zero->point2->setCoords(1, 0);
    zero->setPen(QPen(Qt::black, 1));
    for (int i = 0; i < static_cast<int>(d->bars.size()); ++i) {
      const auto& bar = d->bars[static_cast<size_t>(i)];
      if (!bar) continue;
      auto* label = new QCPItemText(plot);
      label->position->setCoords(i, bar->points + (bar->points < 0 ? -1 : 1) * bar->spread.value_or(0.0));
      label->setPositionAlignment(Qt::AlignHCenter | (bar->points < 0 ? Qt::AlignTop : Qt::AlignBottom));
      label->setText(signedPoints(bar->points));
    }
  }
  plot->legend->setVisible(anyBar);
  d->fitValueRange();
  plot->replot();
}

int ClassGapPlot::classes() const { return static_cast<int>(d->classNames.size()); }

std::optional<ClassGapPlot::Bar> ClassGapPlot::bar(int classIndex) const {
  // Read back from the plottables, so a test sees what is drawn.
  std::optional<Bar> drawn;
  for (int i = 0; i < d->plot->plottableCount(); ++i) {
    auto* bars = qobject_cast<QCPBars*>(d->plot->plottable(i));
    if (!bars) continue;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
      if (static_cast<int>(it->key) == classIndex) drawn = Bar{it->value, std::nullopt};
    }
  }
  if (!drawn) return std::nullopt;
  for (int i = 0; i < d->plot->plottableCount(); ++i) {
    auto* errors = qobject_cast<QCPErrorBars*>(d->plot->plottable(i));
    if (!errors) continue;
    auto* bars = qobject_cast<QCPBars*>(errors->dataPlottable());
    for (int k = 0; bars && k < bars->dataCount(); ++k) {
      if (static_cast<int>(bars->data()->at(k)->key) == classIndex) drawn->spread = errors->data()->at(k).errorPlus;
    }
  }
  return drawn;
}

bool ClassGapPlot::isMarkedNegative(int classIndex) const {
  for (int i = 0; i < d->plot->plottableCount(); ++i) {
    auto* bars = qobject_cast<QCPBars*>(d->plot->plottable(i));
    if (!bars || bars->brush().style() != Qt::BDiagPattern) continue;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
      if (static_cast<int>(it->key) == classIndex) return true;
    }
  }
  return false;
}

QString ClassGapPlot::emptyText() const { return d->empty->text(); }
QCustomPlot* ClassGapPlot::customPlot() const { return d->plot; }

bool ClassGapPlot::exportPng(const QString& path, int width, int height) {
  return d->plot->savePng(path, width, height);
}

bool ClassGapPlot::exportPdf(const QString& path, int width, int height) {
  return d->plot->savePdf(path, width, height);
}

QByteArray ClassGapPlot::pngBytes(int width, int height) { return plotPngBytes(d->plot, width, height); }

}  // namespace tl
