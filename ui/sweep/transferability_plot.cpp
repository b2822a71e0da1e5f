#include "sweep/transferability_plot.h"

#include "plot/plot_presentation.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "sweep/sweep_format.h"
#include "sweep/sweep_table.h"

#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace tl {
namespace {

constexpr double kPenWidth = 2.0;

/// One line of the curve: the trials sharing the values of every other axis.
struct Series {
  QString name;
  std::vector<TransferabilityPlot::Point> points;
  std::vector<double> twinMeans, twinStds;  ///< percent, one per trial
};

QCPScatterStyle::ScatterShape shapeFor(int index) {
  static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                         QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                         QCPScatterStyle::ssCross, QCPScatterStyle::ssStar};
  return shapes[index % 6];
}

double average(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

}  // namespace

struct TransferabilityPlot::Impl {
  QCustomPlot* plot = nullptr;
  QString xField;
  std::vector<QCPGraph*> lines;
  std::vector<QCPErrorBars*> errors;
  std::vector<std::array<QCPGraph*, 3>> bands;  ///< low, mean, high

  std::vector<Series> seriesOf(const SweepTable& table, const std::vector<nlohmann::json>& xValues) const;
  double xKey(const std::vector<nlohmann::json>& xValues, const nlohmann::json& value) const;
  void addLine(const Series& series, int index);
  void addBand(double mean, double std, double from, double to, const QColor& colour, bool inLegend);
  void setXTicks(const std::vector<nlohmann::json>& xValues);
  void fitValueRange();
};

double TransferabilityPlot::Impl::xKey(const std::vector<nlohmann::json>& xValues, const nlohmann::json& value) const {
  // Depths are numbers on their own scale; any other axis is categorical, in the spec's order.
  if (xField == QLatin1String("frozen_depth") && value.is_number()) return value.get<double>();
  const auto at = std::find(xValues.begin(), xValues.end(), value);
  return static_cast<double>(at - xValues.begin());
}

std::vector<Series> TransferabilityPlot::Impl::seriesOf(const SweepTable& table,
                                                         const std::vector<nlohmann::json>& xValues) const {
  const std::string x = xField.toStdString();
  std::vector<std::string> otherAxes;
  for (const std::string& axis : table.axes) {
    if (axis != x) otherAxes.push_back(axis);
  }
  std::map<std::string, Series> byKey;
  std::vector<std::string> order;
  for (const TrialResult& trial : table.trials) {
    if (trial.status != "finished" || !trial.values.contains(x)) continue;
    nlohmann::json others = nlohmann::json::object();
    for (const auto& [field, value] : trial.values.items()) {
      if (field != x) others[field] = value;
    }
    const std::string key = others.dump();
    if (!byKey.count(key)) {
      order.push_back(key);
      byKey[key].name = others.empty() ? QObject::tr("transfer") : QString::fromStdString(trial_label(others, otherAxes));
    }
    Series& series = byKey[key];
    series.points.push_back({xKey(xValues, trial.values[x]), 100.0 * trial.mean, 100.0 * trial.std});
    series.twinMeans.push_back(100.0 * trial.twin_mean);
    series.twinStds.push_back(100.0 * trial.twin_std);
  }
  std::vector<Series> result;
  for (const std::string& key : order) {
    Series series = byKey[key];
    std::sort(series.points.begin(), series.points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
    result.push_back(series);
  }
  return result;
}

void TransferabilityPlot::Impl::addLine(const Series& series, int index) {
  QCPGraph* graph = plot->addGraph();
  const QColor colour = style::seriesColor(index);
  graph->setName(series.name);
  graph->setPen(QPen(colour, scaledPenWidth(kPenWidth), style::seriesPenStyle(index)));
  graph->setScatterStyle(QCPScatterStyle(shapeFor(index), colour, colour, 8));
  QVector<double> keys, values, spreads;
  for (const Point& p : series.points) {
    keys << p.x;
    values << p.accuracy;
    spreads << p.error;
  }
  graph->setData(keys, values, true);
  auto* bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
  bars->removeFromLegend();
  bars->setDataPlottable(graph);
  bars->setData(spreads);
  bars->setPen(QPen(colour.darker(120), 1.2));
  bars->setWhiskerWidth(8);
  lines.push_back(graph);
  errors.push_back(bars);
}

void TransferabilityPlot::Impl::addBand(double mean, double std, double from, double to, const QColor& colour,
                                        bool inLegend) {
  const auto flat = [this, from, to](double value) {
    QCPGraph* graph = plot->addGraph();
    graph->setData(QVector<double>{from, to}, QVector<double>{value, value}, true);
    graph->removeFromLegend();
    return graph;
  };
  QCPGraph* low = flat(mean - std);
  QCPGraph* high = flat(mean + std);
  QCPGraph* middle = flat(mean);
  QColor fill = colour;
  fill.setAlpha(45);
  low->setPen(Qt::NoPen);
  high->setPen(Qt::NoPen);
  high->setBrush(fill);
  high->setChannelFillGraph(low);
  middle->setPen(QPen(colour, scaledPenWidth(1.5), Qt::DashLine));
  if (inLegend) {
    middle->setName(QObject::tr("scratch twin (mean ± std)"));
    middle->addToLegend();
  }
  bands.push_back({low, middle, high});
}

void TransferabilityPlot::Impl::setXTicks(const std::vector<nlohmann::json>& xValues) {
  QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
  double low = 0, high = 0;
  bool first = true;
  for (const nlohmann::json& value : xValues) {
    const double key = xKey(xValues, value);
    ticks->addTick(key, sweepValueText(value));
    low = first ? key : std::min(low, key);
    high = first ? key : std::max(high, key);
    first = false;
  }
  plot->xAxis->setTicker(ticks);
  plot->xAxis->setRange(low - 0.5, high + 0.5);
  plot->xAxis->setLabel(xField == QLatin1String("frozen_depth")
                            ? QObject::tr("frozen blocks from the input (0 = fine-tune all)")
                            : sweepAxisTitle(xField.toStdString()));
}

void TransferabilityPlot::Impl::fitValueRange() {
  double low = 100, high = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    for (int k = 0; k < lines[i]->dataCount(); ++k) {
      const double value = lines[i]->data()->at(k)->value, spread = errors[i]->data()->at(k).errorPlus;
      low = std::min(low, value - spread);
      high = std::max(high, value + spread);
    }
  }
  for (const auto& band : bands) {
    low = std::min(low, band[0]->data()->at(0)->value);
    high = std::max(high, band[2]->data()->at(0)->value);
  }
  if (low > high) std::swap(low, high);
  const double pad = std::max(2.0, 0.1 * (high - low));
  plot->yAxis->setRange(std::max(0.0, low - pad), std::min(100.0, high + pad));
}

TransferabilityPlot::TransferabilityPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Impl>()) {
  d->plot = new QCustomPlot(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d->plot);
  d->plot->legend->setVisible(true);
  d->plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  d->plot->xAxis->grid()->setVisible(false);
  d->plot->yAxis->setLabel(tr("test accuracy, %"));
  followPresentationScale(d->plot, kPenWidth);
}

TransferabilityPlot::~TransferabilityPlot() = default;

bool TransferabilityPlot::appliesTo(const SweepTable& table) {
  return !table.axes.empty() &&
         std::any_of(table.trials.begin(), table.trials.end(), [](const TrialResult& t) { return t.status == "finished"; });
}

void TransferabilityPlot::setTable(const SweepTable& table) {
  QCustomPlot* plot = d->plot;
  plot->clearPlottables();
  d->lines.clear();
  d->errors.clear();
  d->bands.clear();
  const bool hasDepth = std::find(table.axes.begin(), table.axes.end(), "frozen_depth") != table.axes.end();
  d->xField = table.axes.empty() ? QString() : QString::fromStdString(hasDepth ? "frozen_depth" : table.axes.front());
  const std::vector<nlohmann::json> xValues = sweepAxisValues(table, d->xField.toStdString());
  const std::vector<Series> series = d->seriesOf(table, xValues);
  d->setXTicks(xValues);
  // The twin depends on the data only: lines that differ in other axes share it.
  bool shared = true;
  for (const Series& s : series) shared = shared && std::abs(average(s.twinMeans) - average(series.front().twinMeans)) < 1e-9;
  const double from = plot->xAxis->range().lower, to = plot->xAxis->range().upper;
  for (size_t i = 0; i < series.size(); ++i) {
    if (shared && i > 0) break;
    const QColor colour = shared ? QColor(Qt::darkGray) : style::seriesColor(static_cast<int>(i)).lighter(110);
    d->addBand(average(series[i].twinMeans), average(series[i].twinStds), from, to, colour, i == 0);
  }
  for (size_t i = 0; i < series.size(); ++i) d->addLine(series[i], static_cast<int>(i));
  d->fitValueRange();
  plot->legend->setVisible(!series.empty());
  plot->replot();
}

QString TransferabilityPlot::xField() const { return d->xField; }
int TransferabilityPlot::seriesCount() const { return static_cast<int>(d->lines.size()); }

QString TransferabilityPlot::seriesName(int series) const {
  return series >= 0 && series < seriesCount() ? d->lines[static_cast<size_t>(series)]->name() : QString();
}

std::vector<TransferabilityPlot::Point> TransferabilityPlot::points(int series) const {
  std::vector<Point> result;
  if (series < 0 || series >= seriesCount()) return result;
  const QCPGraph* graph = d->lines[static_cast<size_t>(series)];
  const QCPErrorBars* bars = d->errors[static_cast<size_t>(series)];
  for (int k = 0; k < graph->dataCount(); ++k) {
    result.push_back({graph->data()->at(k)->key, graph->data()->at(k)->value, bars->data()->at(k).errorPlus});
  }
  return result;
}

int TransferabilityPlot::bandCount() const { return static_cast<int>(d->bands.size()); }

std::optional<TransferabilityPlot::Band> TransferabilityPlot::band(int index) const {
  if (index < 0 || index >= bandCount()) return std::nullopt;
  const auto& graphs = d->bands[static_cast<size_t>(index)];
  return Band{graphs[0]->data()->at(0)->value, graphs[1]->data()->at(0)->value, graphs[2]->data()->at(0)->value};
}

QCustomPlot* TransferabilityPlot::customPlot() const { return d->plot; }

}  // namespace tl
