#include "sweep/sweep_heat_map.h"

#include "plot/plot_presentation.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "sweep/sweep_format.h"
#include "sweep/sweep_table.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tl {
namespace {

QCPColorGradient gainGradient() {
  QCPColorGradient gradient;
  gradient.clearColorStops();
  gradient.setColorStopAt(0.0, style::okabe_ito::kVermillion);
  gradient.setColorStopAt(0.5, Qt::white);
  gradient.setColorStopAt(1.0, style::okabe_ito::kBlue);
  gradient.setNanHandling(QCPColorGradient::nhTransparent);
  return gradient;
}

QCPColorGradient accuracyGradient() {
  QCPColorGradient gradient;
  gradient.clearColorStops();
  gradient.setColorStopAt(0.0, QColor(250, 245, 215));
  gradient.setColorStopAt(1.0, style::okabe_ito::kBluishGreen);
  gradient.setNanHandling(QCPColorGradient::nhTransparent);
  return gradient;
}

QSharedPointer<QCPAxisTickerText> textTicks(const std::vector<nlohmann::json>& values) {
  QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
  for (size_t i = 0; i < values.size(); ++i) ticks->addTick(static_cast<double>(i), sweepValueText(values[i]));
  return ticks;
}

}  // namespace

struct SweepHeatMap::Impl {
  QCustomPlot* plot = nullptr;
  QComboBox* measure = nullptr;
  QCPColorMap* map = nullptr;
  QCPColorScale* scale = nullptr;
  std::unique_ptr<SweepTable> table = std::make_unique<SweepTable>();
  std::vector<nlohmann::json> columns, rows;

  double valueOf(const TrialResult& trial) const {
    return measure->currentIndex() == 0 ? trial.gain : 100.0 * trial.mean;
  }
};

SweepHeatMap::SweepHeatMap(QWidget* parent) : QWidget(parent), d(std::make_unique<Impl>()) {
  d->plot = new QCustomPlot(this);
  d->measure = new QComboBox;
  d->measure->addItems({tr("Gain over the twin (points)"), tr("Test accuracy (%)")});
  d->measure->setToolTip(tr("What colours the cells"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Cells show")));
  bar->addWidget(d->measure);
  bar->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addWidget(d->plot, 1);
  d->map = new QCPColorMap(d->plot->xAxis, d->plot->yAxis);
  d->map->setInterpolate(false);
  d->scale = new QCPColorScale(d->plot);
  d->plot->plotLayout()->addElement(0, 1, d->scale);
  d->map->setColorScale(d->scale);
  auto* margins = new QCPMarginGroup(d->plot);
  d->plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  d->scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  d->plot->xAxis->grid()->setVisible(false);
  d->plot->yAxis->grid()->setVisible(false);
  followPresentationScale(d->plot, 1.0);
  connect(d->measure, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
}

SweepHeatMap::~SweepHeatMap() = default;

bool SweepHeatMap::appliesTo(const SweepTable& table) {
  return table.axes.size() == 2 &&
         std::any_of(table.trials.begin(), table.trials.end(), [](const TrialResult& t) { return t.status == "finished"; });
}

void SweepHeatMap::setTable(const SweepTable& table) {
  *d->table = table;
  d->columns = table.axes.size() == 2 ? sweepAxisValues(table, table.axes[0]) : std::vector<nlohmann::json>{};
  d->rows = table.axes.size() == 2 ? sweepAxisValues(table, table.axes[1]) : std::vector<nlohmann::json>{};
  redraw();
}

void SweepHeatMap::setMeasure(Measure measure) { d->measure->setCurrentIndex(measure == Measure::Gain ? 0 : 1); }

SweepHeatMap::Measure SweepHeatMap::measure() const {
  return d->measure->currentIndex() == 0 ? Measure::Gain : Measure::Accuracy;
}

void SweepHeatMap::redraw() {
  QCustomPlot* plot = d->plot;
  plot->clearItems();
  const int nx = static_cast<int>(d->columns.size()), ny = static_cast<int>(d->rows.size());
  QCPColorMapData* data = d->map->data();
  data->setSize(std::max(1, nx), std::max(1, ny));
  data->setRange(QCPRange(0, std::max(0, nx - 1)), QCPRange(0, std::max(0, ny - 1)));
  data->fill(std::numeric_limits<double>::quiet_NaN());
  double extreme = 0, low = 100, high = 0;
  if (nx > 0 && ny > 0) {
    const std::string& xField = d->table->axes[0];
    const std::string& yField = d->table->axes[1];
    for (const TrialResult& trial : d->table->trials) {
      if (trial.status != "finished" || !trial.values.contains(xField) || !trial.values.contains(yField)) continue;
      const auto x = std::find(d->columns.begin(), d->columns.end(), trial.values[xField]) - d->columns.begin();
      const auto y = std::find(d->rows.begin(), d->rows.end(), trial.values[yField]) - d->rows.begin();
      if (x >= nx || y >= ny) continue;
      const double value = d->valueOf(trial);
      data->setCell(static_cast<int>(x), static_cast<int>(y), value);
      extreme = std::max(extreme, std::abs(value));
      low = std::min(low, value);
      high = std::max(high, value);
      auto* label = new QCPItemText(plot);
      label->position->setCoords(static_cast<double>(x), static_cast<double>(y));
      label->setText(measure() == Measure::Gain ? signedPointsText(value) : QString::number(value, 'f', 1));
      label->setBrush(QColor(255, 255, 255, 190));
      label->setPadding(QMargins(3, 1, 3, 1));
    }
    plot->xAxis->setLabel(sweepAxisTitle(xField));
    plot->yAxis->setLabel(sweepAxisTitle(yField));
  }
  if (measure() == Measure::Gain) {
    d->map->setGradient(gainGradient());
    // Symmetric, so white is "no gain" and the sign reads from the hue.
    d->map->setDataRange(QCPRange(-std::max(extreme, 1.0), std::max(extreme, 1.0)));
    d->scale->axis()->setLabel(tr("transfer − twin, points"));
  } else {
    d->map->setGradient(accuracyGradient());
    d->map->setDataRange(QCPRange(low <= high ? low - 0.5 : 0.0, low <= high ? high + 0.5 : 100.0));
    d->scale->axis()->setLabel(tr("test accuracy, %"));
  }
  plot->xAxis->setTicker(textTicks(d->columns));
  plot->yAxis->setTicker(textTicks(d->rows));
  plot->xAxis->setRange(-0.5, std::max(1, nx) - 0.5);
  plot->yAxis->setRange(-0.5, std::max(1, ny) - 0.5);
  plot->replot();
}

int SweepHeatMap::columns() const { return d->map->data()->keySize(); }
int SweepHeatMap::rows() const { return d->map->data()->valueSize(); }

QString SweepHeatMap::columnLabel(int column) const {
  return column >= 0 && column < static_cast<int>(d->columns.size()) ? sweepValueText(d->columns[static_cast<size_t>(column)])
                                                                     : QString();
}

QString SweepHeatMap::rowLabel(int row) const {
  return row >= 0 && row < static_cast<int>(d->rows.size()) ? sweepValueText(d->rows[static_cast<size_t>(row)]) : QString();
}

std::optional<double> SweepHeatMap::cellValue(int column, int row) const {
  if (column < 0 || row < 0 || column >= columns() || row >= rows()) return std::nullopt;
  const double value = d->map->data()->cell(column, row);
  if (std::isnan(value)) return std::nullopt;
  return value;
}

QComboBox* SweepHeatMap::measureBox() const { return d->measure; }
QCustomPlot* SweepHeatMap::customPlot() const { return d->plot; }

}  // namespace tl
