#include "plot/loss_plot.h"

#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "style/presentation_scale.h"

#include <QContextMenuEvent>
#include <QResizeEvent>
#include <QDir>
#include <QFileDialog>
#include <QFontMetrics>
#include <QMenu>
#include <QStandardPaths>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace tl {
namespace {

constexpr int kSeriesCount = 5;
constexpr int kPreviousAlpha = 60;        ///< faint enough to read the current run over it
constexpr double kHoverRadiusPixels = 12.0;

int index_of(LossPlot::Series s) { return static_cast<int>(s); }
bool is_accuracy(LossPlot::Series s) {
  return s == LossPlot::Series::TrainAccuracy || s == LossPlot::Series::ValAccuracy;
}

constexpr int kEarlierSeedAlpha = 45;
constexpr double kEarlierSeedWidth = 1.0;
constexpr double kMarkerSize = 6.0;
constexpr double kTwinMarkerSize = 7.0;
constexpr double kChangeMarkerWidth = 1.2;
constexpr double kTitlePointSize = 9.0;
constexpr int kMaxValueTicks = 4;
constexpr int kMaxLegendRows = 2;
/// The legend's line samples and the gap between its columns: the usual, and
/// the compact ones for a plot too narrow for two rows even at the normal font.
constexpr QSize kLegendIcon(32, 18);
constexpr QSize kCompactLegendIcon(22, 18);
constexpr int kLegendColumnSpacing = 12;
constexpr int kCompactLegendColumnSpacing = 8;

enum Track { TransferTrack, TwinTrack, kTrackCount };

struct SeriesStyle {
  const char* name;
  QColor color;
  double width;
  Qt::PenStyle penStyle;
  QCPScatterStyle::ScatterShape marker;
};

bool is_train(LossPlot::Series s) {
  return s == LossPlot::Series::TrainLossRaw || s == LossPlot::Series::TrainLossSmoothed ||
         s == LossPlot::Series::TrainAccuracy;
}

QColor color_of(style::CurveRun run, LossPlot::Series s) {
  return style::curveColor(run, is_train(s) ? style::CurveSplit::Train : style::CurveSplit::Validation);
}

// Train and validation differ in colour and in line style (solid, dashed),
// and in marker where there are markers, so neither pair rests on colour alone.
SeriesStyle style_of(LossPlot::Series s) {
  const QColor train = color_of(style::CurveRun::Transfer, LossPlot::Series::TrainLossSmoothed);
  const QColor validation = color_of(style::CurveRun::Transfer, LossPlot::Series::ValLoss);
  switch (s) {
    case LossPlot::Series::TrainLossRaw:
      return {"train loss (per batch)", QColor(train.red(), train.green(), train.blue(), 90), 1.0, Qt::SolidLine,
              QCPScatterStyle::ssNone};
    case LossPlot::Series::TrainLossSmoothed:
      return {"train loss (smoothed)", train, 2.5, Qt::SolidLine, QCPScatterStyle::ssNone};
    case LossPlot::Series::ValLoss:
      return {"validation loss", validation, 2.0, Qt::DashLine, QCPScatterStyle::ssCircle};
    case LossPlot::Series::TrainAccuracy:
      return {"train accuracy", train, 2.0, Qt::SolidLine, QCPScatterStyle::ssSquare};
    case LossPlot::Series::ValAccuracy:
      return {"validation accuracy", validation, 2.0, Qt::DashLine, QCPScatterStyle::ssCircle};
  }
  return {"", Qt::black, 1.0, Qt::SolidLine, QCPScatterStyle::ssNone};
}

QColor faint(QColor c, int alpha = kPreviousAlpha) {
  c.setAlpha(std::min(c.alpha(), alpha));
  return c;
}

// The twin: other shades, dotted (train) and dash-dotted (validation), with
// triangles, so "which curve is the twin" needs no legend lookup.
SeriesStyle twin_style_of(LossPlot::Series s) {
  SeriesStyle style = style_of(s);
  const bool train = is_train(s);
  style.color = color_of(style::CurveRun::Twin, s);
  style.penStyle = train ? Qt::DotLine : Qt::DashDotDotLine;
  if (style.marker != QCPScatterStyle::ssNone) {
    style.marker = train ? QCPScatterStyle::ssTriangle : QCPScatterStyle::ssTriangleInverted;
  }
  return style;
}

/// Pen width and marker size `scale` times the given ones; colour and style kept.
void resize_graph(QCPGraph* graph, double width, double markerSize, double scale) {
  QPen pen = graph->pen();
  pen.setWidthF(width * scale);
  graph->setPen(pen);
  QCPScatterStyle scatter = graph->scatterStyle();
  if (scatter.shape() == QCPScatterStyle::ssNone) return;
  scatter.setSize(markerSize * scale);
  graph->setScatterStyle(scatter);
}

QFont legend_font(const QFont& base) {
  QFont font = base;
  if (font.pointSizeF() > 0) font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1));
  return font;
}

/// Points waiting for the next timer tick.
struct PendingSeries {
  QVector<double> keys;
  QVector<double> values;
};

}  // namespace

struct LossPlot::Impl {
  QCustomPlot* plot = nullptr;
  QCPTextElement* title = nullptr;
  QCPAxisRect* lossRect = nullptr;
  QCPAxisRect* accRect = nullptr;
  QCPLegend* legend = nullptr;  ///< one row above both rects, so no curve hides behind it
  QCPItemTracer* tracer = nullptr;
  QCPItemText* emptyHint = nullptr;  ///< says what will appear here, until a run has points
  struct Marker {
    double x = 0.0;
    QString label;
    QList<QCPAbstractItem*> items;  ///< a line per panel and the label
  };
  QList<Marker> markers;  ///< of the current run
  void removeMarkers();
  std::array<QCPGraph*, kSeriesCount> current{};
  std::array<QCPGraph*, kSeriesCount> previous{};
  std::array<QCPGraph*, kSeriesCount> twin{};  ///< the comparison's twin, this seed
  QList<QCPGraph*> earlier;                    ///< faint copies of earlier seeds' curves
  std::array<std::array<PendingSeries, kSeriesCount>, kTrackCount> pending;
  int track = TransferTrack;  ///< where addBatch / addEpoch points go
  QString twinName;
  QString jobText;  ///< "seed 2 · scratch twin" in the title
  QTimer refreshTimer;

  QString runName;
  int expectedEpochs = 1;
  double ema = 0.0;
  double emaDebias = 1.0;  ///< product of the betas so far: the weight the zero start still has
  bool dirty = false;          ///< something changed that the next tick must draw
  bool followData = true;      ///< ranges track the data until the user zooms or drags
  bool settingRanges = false;  ///< our own range changes are not user interaction
  double scale = 1.0;          ///< presentation scale of fonts, pens and markers

  QCPAxisRect* rectOf(Series s) const { return is_accuracy(s) ? accRect : lossRect; }

  void build(QWidget* owner);
  QCPAxisRect* addAxisRect(int row, const QString& valueLabel);
  void addLegend(int row);
  void fitLegendColumns(int width);
  int legendColumnsFitting(int width) const;
  int legendRows(int columns) const;
  void useEpochTicks(QCPAxis* axis);
  QCPGraph* addGraph(Series s, bool previousRun);
  QCPGraph* addTwinGraph(Series s);
  void keepAsEarlierSeed(QCPGraph* graph);
  void dropEarlierSeeds();
  void resetTwin();
  std::array<QCPGraph*, kSeriesCount>& graphsOf(int t) { return t == TwinTrack ? twin : current; }
  void linkEpochAxes();
  void watchUserRangeChanges(QCPAxis* axis);
  void queue(Series s, double key, double value);
  void fitRanges();
  void updateTitle();
  void addEmptyHint();
  bool hasData() const;
  void moveCurrentToPrevious();
  QCPGraph* nearestGraph(const QPoint& pixel, int* index) const;
  QFont scaledFont(const QFont& base) const { return PresentationScale::scaledFont(base, scale); }
  void applyScale();
  bool fitValueTicks();
  void scaleGraphs();
  void scaleMarker(const Marker& marker);
};

void LossPlot::Impl::removeMarkers() {
  for (const Marker& m : markers) {
    for (QCPAbstractItem* item : m.items) plot->removeItem(item);
  }
  markers.clear();
}

void LossPlot::Impl::build(QWidget* owner) {
  plot = new QCustomPlot(owner);
  plot->setNoAntialiasingOnDrag(true);
  plot->setAutoAddPlottableToLegend(false);
  plot->plotLayout()->clear();  // replaces the default single axis rect and its legend
  title = new QCPTextElement(plot, QString(), QFont(owner->font().family(), kTitlePointSize, QFont::Bold));
  plot->plotLayout()->addElement(0, 0, title);
  addLegend(1);
  lossRect = addAxisRect(2, QStringLiteral("Loss"));
  accRect = addAxisRect(3, QStringLiteral("Accuracy (%)"));
  // Title and legend rows take only their minimum height; the rects share the rest.
  plot->plotLayout()->setRowStretchFactor(0, 0.001);
  plot->plotLayout()->setRowStretchFactor(1, 0.001);
  // Equal factors; the lower rect still ends up smaller, as it carries the epoch axis labels.
  plot->plotLayout()->setRowStretchFactor(2, 1);
  plot->plotLayout()->setRowStretchFactor(3, 1);
  plot->plotLayout()->setRowSpacing(2);
  lossRect->axis(QCPAxis::atBottom)->setTickLabels(false);  // the shared epoch axis is labelled once, below
  accRect->axis(QCPAxis::atBottom)->setLabel(QStringLiteral("Epoch"));
  auto* margins = new QCPMarginGroup(plot);
  lossRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  accRect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
  // Few value ticks: on a laptop each rect is only ~120 px tall (fitValueTicks).
  lossRect->axis(QCPAxis::atLeft)->ticker()->setTickCount(kMaxValueTicks);
  accRect->axis(QCPAxis::atLeft)->ticker()->setTickCount(kMaxValueTicks);
  useEpochTicks(lossRect->axis(QCPAxis::atBottom));
  useEpochTicks(accRect->axis(QCPAxis::atBottom));
  // Previous-run graphs first so the current run is drawn on top.
  for (int i = 0; i < kSeriesCount; ++i) previous[i] = addGraph(static_cast<Series>(i), true);
  for (int i = 0; i < kSeriesCount; ++i) twin[i] = addTwinGraph(static_cast<Series>(i));
  for (int i = 0; i < kSeriesCount; ++i) current[i] = addGraph(static_cast<Series>(i), false);
  tracer = new QCPItemTracer(plot);
  tracer->setStyle(QCPItemTracer::tsCircle);
  tracer->setSize(9);
  tracer->setPen(QPen(Qt::black, 1.5));
  tracer->setLayer(QStringLiteral("overlay"));
  tracer->setVisible(false);
  addEmptyHint();
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  linkEpochAxes();
  fitRanges();
}

QCPAxisRect* LossPlot::Impl::addAxisRect(int row, const QString& valueLabel) {
  auto* rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(row, 0, rect);
  rect->axis(QCPAxis::atLeft)->setLabel(valueLabel);
  rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
  rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
  rect->setupFullAxesBox(false);
  rect->axis(QCPAxis::atTop)->setTickLabels(false);
  rect->axis(QCPAxis::atRight)->setTickLabels(false);
  for (QCPAxis* axis : rect->axes()) axis->grid()->setSubGridVisible(false);
  return rect;
}

void LossPlot::Impl::addLegend(int row) {
  legend = new QCPLegend;
  plot->plotLayout()->addElement(row, 0, legend);
  plot->legend = legend;
  legend->setLayer(QStringLiteral("legend"));
  legend->setFont(legend_font(plot->font()));
  legend->setBorderPen(Qt::NoPen);
  legend->setBrush(Qt::NoBrush);
  legend->setRowSpacing(0);
  legend->setColumnSpacing(kLegendColumnSpacing);
  legend->setMargins(QMargins(4, 0, 14, 0));
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
}

/// As many legend columns as fit the plot's width; the rest wraps to new
/// rows, two at most while the font can give way: in presentation mode on a
/// narrow screen the legend's font shrinks (down to its normal size) before
/// a third row takes height from the curves, and then its line samples and
/// column gaps shorten.
void LossPlot::Impl::fitLegendColumns(int width) {
  QFont font = scaledFont(legend_font(PresentationScale::instance()->baseFont()));
  const double normalSize = legend_font(PresentationScale::instance()->baseFont()).pointSizeF();
  legend->setFont(font);
  legend->setIconSize(kLegendIcon);
  legend->setColumnSpacing(kLegendColumnSpacing);
  int columns = legendColumnsFitting(width);
  while (legendRows(columns) > kMaxLegendRows && font.pointSizeF() > normalSize) {
    font.setPointSizeF(std::max(normalSize, font.pointSizeF() * 0.9));
    legend->setFont(font);
    columns = legendColumnsFitting(width);
  }
  if (legendRows(columns) > kMaxLegendRows) {
    legend->setIconSize(kCompactLegendIcon);
    legend->setColumnSpacing(kCompactLegendColumnSpacing);
    columns = legendColumnsFitting(width);
  }
  if (legend->wrap() != columns) legend->setWrap(columns);
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, /*rearrange=*/true);
}

int LossPlot::Impl::legendRows(int columns) const {
  int items = 0;
  for (int i = 0; i < legend->itemCount(); ++i) items += legend->item(i) ? 1 : 0;
  return (items + columns - 1) / columns;
}

/// Columns are as wide as their widest entry, as QCPLayoutGrid lays them out.
int LossPlot::Impl::legendColumnsFitting(int width) const {
  QVector<int> widths;
  for (int i = 0; i < legend->itemCount(); ++i) {
    // A wrapped legend grid has empty cells: item() is null there.
    if (QCPAbstractLegendItem* item = legend->item(i)) widths.append(item->minimumOuterSizeHint().width());
  }
  // Some slack on the right: the last column must not touch the window's edge.
  const int available = width - legend->margins().left() - legend->margins().right() - 16;
  int columns = std::max(1, static_cast<int>(widths.size()));
  for (; columns > 1; --columns) {
    QVector<int> columnWidths(columns, 0);
    for (int i = 0; i < widths.size(); ++i) columnWidths[i % columns] = std::max(columnWidths[i % columns], widths[i]);
    const int total = std::accumulate(columnWidths.begin(), columnWidths.end(), 0) + (columns - 1) * legend->columnSpacing();
    if (total <= available) break;
  }
  return columns;
}

/// Whole epochs as ticks, spaced out (2, 5, 10 …) when there are many.
void LossPlot::Impl::useEpochTicks(QCPAxis* axis) {
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  axis->setTicker(ticker);
}

QCPGraph* LossPlot::Impl::addGraph(Series s, bool previousRun) {
  QCPAxisRect* rect = rectOf(s);
  QCPGraph* graph = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  const SeriesStyle style = style_of(s);
  const QColor color = previousRun ? faint(style.color) : style.color;
  graph->setPen(QPen(color, style.width * scale, style.penStyle));
  if (style.marker != QCPScatterStyle::ssNone) {
    graph->setScatterStyle(QCPScatterStyle(style.marker, color, kMarkerSize * scale));
  }
  graph->setName(previousRun ? QStringLiteral("previous: ") + QLatin1String(style.name) : QLatin1String(style.name));
  graph->setSelectable(QCP::stNone);
  // Previous-run graphs join the legend in moveCurrentToPrevious, once they hold data.
  if (!previousRun) graph->addToLegend(legend);
  return graph;
}

// Joins the legend at the first twin job, named after the twin.
QCPGraph* LossPlot::Impl::addTwinGraph(Series s) {
  QCPAxisRect* rect = rectOf(s);
  QCPGraph* graph = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  const SeriesStyle style = twin_style_of(s);
  graph->setPen(QPen(style.color, style.width * scale, style.penStyle));
  if (style.marker != QCPScatterStyle::ssNone) {
    graph->setScatterStyle(QCPScatterStyle(style.marker, style.color, kTwinMarkerSize * scale));
  }
  graph->setName(QStringLiteral("twin: ") + QLatin1String(style.name));
  graph->setSelectable(QCP::stNone);
  return graph;
}

// A faint copy, out of the legend, drawn below the live curves.
void LossPlot::Impl::keepAsEarlierSeed(QCPGraph* graph) {
  if (graph->data()->isEmpty()) return;
  QCPGraph* copy = plot->addGraph(graph->keyAxis(), graph->valueAxis());
  copy->data()->set(*graph->data());
  QPen pen = graph->pen();
  pen.setColor(faint(pen.color(), kEarlierSeedAlpha));
  pen.setWidthF(kEarlierSeedWidth * scale);
  copy->setPen(pen);
  copy->setName(QStringLiteral("earlier seed: ") + graph->name());
  copy->setSelectable(QCP::stNone);
  copy->setLayer(QStringLiteral("background"));
  earlier.append(copy);
  graph->data()->clear();
}

void LossPlot::Impl::dropEarlierSeeds() {
  for (QCPGraph* graph : earlier) plot->removeGraph(graph);
  earlier.clear();
}

void LossPlot::Impl::resetTwin() {
  for (QCPGraph* graph : twin) {
    graph->data()->clear();
    graph->removeFromLegend(legend);
  }
  for (auto& p : pending[TwinTrack]) p = PendingSeries{};
  twinName.clear();
  jobText.clear();
  track = TransferTrack;
}

void LossPlot::Impl::addEmptyHint() {
  emptyHint = new QCPItemText(plot);
  emptyHint->setClipAxisRect(lossRect);
  emptyHint->position->setAxisRect(lossRect);
  emptyHint->position->setType(QCPItemPosition::ptAxisRectRatio);
  emptyHint->position->setCoords(0.5, 0.5);
  emptyHint->setText(QObject::tr("Training loss and accuracy appear here while a run trains.\n"
                                 "Press Train (Ctrl+Return) to start one."));
  emptyHint->setColor(QColor(110, 110, 110));
}

bool LossPlot::Impl::hasData() const {
  for (int i = 0; i < plot->graphCount(); ++i) {
    if (!plot->graph(i)->data()->isEmpty()) return true;
  }
  return false;
}

/// Both rects show the same epochs: a drag or zoom in one moves the other.
void LossPlot::Impl::linkEpochAxes() {
  QCPAxis* lossX = lossRect->axis(QCPAxis::atBottom);
  QCPAxis* accX = accRect->axis(QCPAxis::atBottom);
  const auto rangeChanged = qOverload<const QCPRange&>(&QCPAxis::rangeChanged);
  QObject::connect(lossX, rangeChanged, accX, qOverload<const QCPRange&>(&QCPAxis::setRange));
  QObject::connect(accX, rangeChanged, lossX, qOverload<const QCPRange&>(&QCPAxis::setRange));
  for (QCPAxisRect* rect : {lossRect, accRect}) {
    watchUserRangeChanges(rect->axis(QCPAxis::atBottom));
    watchUserRangeChanges(rect->axis(QCPAxis::atLeft));
  }
}

void LossPlot::Impl::watchUserRangeChanges(QCPAxis* axis) {
  QObject::connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), plot, [this] {
    if (!settingRanges) followData = false;
  });
}

void LossPlot::Impl::queue(Series s, double key, double value) {
  PendingSeries& p = pending[track][index_of(s)];
  p.keys.append(key);
  p.values.append(value);
  if (!refreshTimer.isActive()) refreshTimer.start();
}

/// Epochs: the whole planned run (or more, if data goes beyond); loss from 0
/// to its highest point; accuracy up to 100 % from just below its lowest.
void LossPlot::Impl::fitRanges() {
  if (!followData) return;
  settingRanges = true;
  double maxKey = expectedEpochs;
  double maxLoss = 0.0;
  double minAccuracy = 100.0;
  // Every graph: the current run, the previous one, the twin and earlier seeds.
  for (int i = 0; i < plot->graphCount(); ++i) {
    const QCPGraph* g = plot->graph(i);
    bool found = false;
    const QCPRange keys = g->getKeyRange(found);
    if (!found) continue;
    maxKey = std::max(maxKey, keys.upper);
    const QCPRange values = g->getValueRange(found);
    if (g->valueAxis() == accRect->axis(QCPAxis::atLeft)) minAccuracy = std::min(minAccuracy, values.lower);
    else maxLoss = std::max(maxLoss, values.upper);
  }
  // A little room on the right so the last epoch's markers are not cut in half.
  lossRect->axis(QCPAxis::atBottom)->setRange(0.0, maxKey * 1.03);
  lossRect->axis(QCPAxis::atLeft)->setRange(0.0, maxLoss > 0.0 ? maxLoss * 1.08 : 1.0);
  // Without points yet (minAccuracy still 100) the whole 0–100 % scale is shown.
  const double accuracyFloor =
      minAccuracy >= 100.0 ? 0.0 : std::max(0.0, std::floor((minAccuracy - 5.0) / 10.0) * 10.0);
  accRect->axis(QCPAxis::atLeft)->setRange(std::min(accuracyFloor, 90.0), 101.0);
  settingRanges = false;
}

void LossPlot::Impl::updateTitle() {
  const bool hasPrevious = !previous[index_of(Series::TrainLossSmoothed)]->data()->isEmpty() ||
                           !previous[index_of(Series::ValAccuracy)]->data()->isEmpty();
  QString text = runName.isEmpty() ? QString() : QStringLiteral("Run: ") + runName;
  if (!jobText.isEmpty()) text += QStringLiteral(" · ") + jobText;
  if (!earlier.isEmpty()) text += QStringLiteral("   (faint: earlier seeds)");
  else if (hasPrevious) text += QStringLiteral("   (faint: previous run)");
  title->setText(text);
}

void LossPlot::Impl::moveCurrentToPrevious() {
  for (int i = 0; i < kSeriesCount; ++i) {
    previous[i]->data()->set(*current[i]->data());
    current[i]->data()->clear();
    pending[TransferTrack][i] = PendingSeries{};
    const Series s = static_cast<Series>(i);
    // Named once per legend, by its most telling curve, to keep the legends small.
    const bool named = s == Series::TrainLossSmoothed || s == Series::ValAccuracy;
    if (named && !previous[i]->data()->isEmpty()) previous[i]->addToLegend(legend);
  }
  // The raw per-batch noise of an old run only clutters the comparison.
  previous[index_of(Series::TrainLossRaw)]->data()->clear();
  fitLegendColumns(plot->width());
}

QCPGraph* LossPlot::Impl::nearestGraph(const QPoint& pixel, int* index) const {
  QCPAxisRect* rect = plot->axisRectAt(pixel);
  if (!rect) return nullptr;
  QCPGraph* best = nullptr;
  double bestDistance = kHoverRadiusPixels;
  for (QCPGraph* graph : rect->graphs()) {
    if (!graph->visible() || graph->data()->isEmpty()) continue;
    QVariant details;
    const double distance = graph->selectTest(pixel, false, &details);
    if (distance < 0 || distance >= bestDistance) continue;
    const QCPDataSelection selection = details.value<QCPDataSelection>();
    if (selection.isEmpty()) continue;
    bestDistance = distance;
    best = graph;
    *index = selection.dataRange().begin();
  }
  return best;
}

/// Fonts from the application font at scale 1 (PresentationScale::baseFont),
/// so a plot made while the window is already scaled is not scaled twice.
void LossPlot::Impl::applyScale() {
  const QFont base = PresentationScale::instance()->baseFont();
  const QFont axisFont = scaledFont(base);
  for (QCPAxisRect* rect : {lossRect, accRect}) {
    for (QCPAxis* axis : rect->axes()) {
      axis->setLabelFont(axisFont);
      axis->setTickLabelFont(axisFont);
    }
  }
  title->setFont(scaledFont(QFont(base.family(), kTitlePointSize, QFont::Bold)));
  emptyHint->setFont(axisFont);
  tracer->setSize(9 * scale);
  tracer->setPen(QPen(Qt::black, 1.5 * scale));
  scaleGraphs();
  for (const Marker& marker : markers) scaleMarker(marker);
  fitLegendColumns(plot->width());
}

/// As many value ticks as a rect has room for, each label with a gap as tall
/// as itself: a rect on a small screen or in presentation mode may be only a
/// few labels tall. True when a count changed (the ticks of the next replot).
bool LossPlot::Impl::fitValueTicks() {
  bool changed = false;
  for (QCPAxisRect* rect : {lossRect, accRect}) {
    QCPAxis* axis = rect->axis(QCPAxis::atLeft);
    const int labelHeight = std::max(1, QFontMetrics(axis->tickLabelFont()).height());
    const int count = std::clamp(rect->height() / (2 * labelHeight), 2, kMaxValueTicks);
    if (axis->ticker()->tickCount() == count) continue;
    axis->ticker()->setTickCount(count);
    changed = true;
  }
  return changed;
}

void LossPlot::Impl::scaleGraphs() {
  for (int i = 0; i < kSeriesCount; ++i) {
    const Series s = static_cast<Series>(i);
    resize_graph(current[i], style_of(s).width, kMarkerSize, scale);
    resize_graph(previous[i], style_of(s).width, kMarkerSize, scale);
    resize_graph(twin[i], twin_style_of(s).width, kTwinMarkerSize, scale);
  }
  for (QCPGraph* graph : earlier) resize_graph(graph, kEarlierSeedWidth, kMarkerSize, scale);
}

void LossPlot::Impl::scaleMarker(const Marker& marker) {
  for (QCPAbstractItem* item : marker.items) {
    if (auto* line = qobject_cast<QCPItemStraightLine*>(item)) {
      QPen pen = line->pen();
      pen.setWidthF(kChangeMarkerWidth * scale);
      line->setPen(pen);
    } else if (auto* text = qobject_cast<QCPItemText*>(item)) {
      text->setFont(scaledFont(PresentationScale::instance()->baseFont()));
    }
  }
}

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Impl>()) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  d->build(this);
  layout->addWidget(d->plot);
  setMinimumSize(320, 240);
  d->refreshTimer.setInterval(kRefreshIntervalMs);
  connect(&d->refreshTimer, &QTimer::timeout, this, &LossPlot::flushPending);
  connect(d->plot, &QCustomPlot::mouseDoubleClick, this, &LossPlot::resetZoom);
  connect(d->plot, &QCustomPlot::afterLayout, this, [this] {
    if (d->fitValueTicks()) d->plot->replot(QCustomPlot::rpQueuedReplot);
  });
  PresentationScale* presentation = PresentationScale::instance();
  connect(presentation, &PresentationScale::changed, this, &LossPlot::setPresentationScale);
  d->scale = presentation->factor();
  d->applyScale();
  connect(d->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
    int index = 0;
    QCPGraph* graph = d->nearestGraph(event->pos(), &index);
    d->tracer->setVisible(graph != nullptr);
    if (graph) {
      const auto point = graph->data()->at(index);
      d->tracer->setClipAxisRect(graph->keyAxis()->axisRect());
      d->tracer->position->setAxes(graph->keyAxis(), graph->valueAxis());
      d->tracer->position->setCoords(point->key, point->value);
      QToolTip::showText(event->globalPosition().toPoint(), valueTextAt(event->pos()), d->plot);
    } else {
      QToolTip::hideText();
    }
    d->plot->layer(QStringLiteral("overlay"))->replot();
  });
}

LossPlot::~LossPlot() = default;

double LossPlot::smoothingFor(int batchesPerEpoch) {
  // An EMA spanning half an epoch (4 to 50 batches): smooth enough to read
  // with thousands of batches per epoch, without lagging epochs behind with few.
  const double span = std::clamp(batchesPerEpoch / 2.0, 4.0, 50.0);
  return 1.0 - 2.0 / (span + 1.0);
}

int LossPlot::pointCount(Series s) const { return d->current[index_of(s)]->dataCount(); }
QVector<QPointF> LossPlot::points(Series s) const {
  QVector<QPointF> result;
  const QSharedPointer<QCPGraphDataContainer> data = d->current[index_of(s)]->data();
  result.reserve(data->size());
  for (auto it = data->constBegin(); it != data->constEnd(); ++it) result.append(QPointF(it->key, it->value));
  return result;
}

int LossPlot::previousPointCount(Series s) const { return d->previous[index_of(s)]->dataCount(); }
QString LossPlot::currentRunName() const { return d->runName; }
int LossPlot::twinPointCount(Series s) const { return d->twin[index_of(s)]->dataCount(); }
QString LossPlot::twinName() const { return d->twinName; }
int LossPlot::earlierSeedCurveCount() const { return static_cast<int>(d->earlier.size()); }

QVector<QPointF> LossPlot::twinPoints(Series s) const {
  QVector<QPointF> result;
  const QSharedPointer<QCPGraphDataContainer> data = d->twin[index_of(s)]->data();
  for (auto it = data->constBegin(); it != data->constEnd(); ++it) result.append(QPointF(it->key, it->value));
  return result;
}
QCustomPlot* LossPlot::customPlot() const { return d->plot; }

int LossPlot::pendingPointCount() const {
  int n = 0;
  for (const auto& track : d->pending) {
    for (const PendingSeries& p : track) n += p.keys.size();
  }
  return n;
}

QString LossPlot::valueTextAt(const QPoint& pixel) const {
  int index = 0;
  QCPGraph* graph = d->nearestGraph(pixel, &index);
  if (!graph) return {};
  const auto point = graph->data()->at(index);
  const bool accuracy = graph->valueAxis() == d->accRect->axis(QCPAxis::atLeft);
  const QString value = accuracy ? QString::number(point->value, 'f', 1) + QStringLiteral(" %")
                                 : QString::number(point->value, 'f', 3);
  return QStringLiteral("%1 · epoch %2 · %3").arg(graph->name(), QString::number(point->key, 'f', 2), value);
}

void LossPlot::beginRun(const QString& name, int epochs) {
  flushPending();
  // A comparison's twin and earlier seeds belong to the run that ends here.
  d->dropEarlierSeeds();
  d->resetTwin();
  d->moveCurrentToPrevious();
  d->removeMarkers();
  d->runName = name;
  d->expectedEpochs = std::max(1, epochs);
  d->ema = 0.0;
  d->emaDebias = 1.0;
  d->followData = true;
  d->updateTitle();
  d->dirty = true;
  flushPending();
}

void LossPlot::addMarker(double epochPosition, const QString& label) {
  Impl::Marker marker{epochPosition, label, {}};
  const QPen pen(QColor(120, 90, 160), kChangeMarkerWidth, Qt::DashLine);
  for (QCPAxisRect* rect : {d->lossRect, d->accRect}) {
    auto* line = new QCPItemStraightLine(d->plot);
    line->setClipAxisRect(rect);
    line->setPen(pen);
    for (QCPItemPosition* end : {line->point1, line->point2}) {
      end->setAxisRect(rect);
      end->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      end->setTypeX(QCPItemPosition::ptPlotCoords);
      end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    line->point1->setCoords(epochPosition, 0.0);
    line->point2->setCoords(epochPosition, 1.0);
    marker.items << line;
  }
  auto* text = new QCPItemText(d->plot);
  text->setClipAxisRect(d->lossRect);
  text->position->setAxisRect(d->lossRect);
  text->position->setAxes(d->lossRect->axis(QCPAxis::atBottom), d->lossRect->axis(QCPAxis::atLeft));
  text->position->setTypeX(QCPItemPosition::ptPlotCoords);
  text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(epochPosition, 0.02);
  text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
  text->setPadding(QMargins(3, 0, 0, 0));
  text->setColor(pen.color());
  text->setText(label);
  marker.items << text;
  d->scaleMarker(marker);
  d->markers << marker;
  d->dirty = true;
}

QStringList LossPlot::markerLabels() const {
  QStringList labels;
  for (const auto& m : d->markers) labels << m.label;
  return labels;
}

QVector<double> LossPlot::markerPositions() const {
  QVector<double> positions;
  for (const auto& m : d->markers) positions << m.x;
  return positions;
}

void LossPlot::beginJob(const JobIdentity& job) {
  flushPending();
  const QString role = QString::fromStdString(job_role_name(job.role));
  const bool transfer = !job.is_twin();
  // A new seed's transfer run: the last seed's pair stays, faint, for comparison.
  if (transfer && !d->current[index_of(Series::ValAccuracy)]->data()->isEmpty()) {
    for (std::array<QCPGraph*, kSeriesCount>* graphs : {&d->current, &d->twin}) {
      for (int i = 0; i < kSeriesCount; ++i) {
        if (static_cast<Series>(i) != Series::TrainLossRaw) d->keepAsEarlierSeed((*graphs)[i]);
        else (*graphs)[i]->data()->clear();  // the per-batch noise of old seeds only clutters
      }
    }
  }
  d->track = transfer ? TransferTrack : TwinTrack;
  if (!transfer && d->twinName != role) {
    d->twinName = role;
    for (int i = 0; i < kSeriesCount; ++i) {
      const Series s = static_cast<Series>(i);
      d->twin[i]->setName(role + QStringLiteral(": ") + QLatin1String(style_of(s).name));
      // The legend names the twin by its two most telling curves, like the previous run.
      if (s == Series::TrainLossSmoothed || s == Series::ValAccuracy) d->twin[i]->addToLegend(d->legend);
    }
    d->fitLegendColumns(d->plot->width());
  }
  d->jobText = QString::fromStdString(job_label(job));
  d->ema = 0.0;
  d->emaDebias = 1.0;
  d->updateTitle();
  d->dirty = true;
  flushPending();
}

void LossPlot::addBatch(int epoch, int batch, int batchesPerEpoch, double loss) {
  if (!std::isfinite(loss) || batchesPerEpoch <= 0) return;
  const double x = (epoch - 1) + static_cast<double>(batch) / batchesPerEpoch;
  // Bias-corrected EMA: without the correction the first points would be pulled towards 0.
  const double beta = smoothingFor(batchesPerEpoch);
  d->ema = beta * d->ema + (1.0 - beta) * loss;
  d->emaDebias *= beta;
  const double smoothed = d->ema / (1.0 - d->emaDebias);
  // A twin's raw per-batch noise would hide the transfer run's; its smoothed loss says enough.
  if (d->track == TransferTrack) d->queue(Series::TrainLossRaw, x, loss);
  d->queue(Series::TrainLossSmoothed, x, smoothed);
}

void LossPlot::addEpoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy) {
  Q_UNUSED(trainLoss)  // the per-batch curve already shows it
  if (std::isfinite(valLoss)) d->queue(Series::ValLoss, epoch, valLoss);
  d->queue(Series::TrainAccuracy, epoch, 100.0 * trainAccuracy);
  d->queue(Series::ValAccuracy, epoch, 100.0 * valAccuracy);
}

void LossPlot::clear() {
  d->dropEarlierSeeds();
  d->resetTwin();
  for (int i = 0; i < kSeriesCount; ++i) {
    d->current[i]->data()->clear();
    d->previous[i]->data()->clear();
    d->previous[i]->removeFromLegend(d->legend);
    d->pending[TransferTrack][i] = PendingSeries{};
  }
  d->fitLegendColumns(width());
  d->runName.clear();
  d->ema = 0.0;
  d->emaDebias = 1.0;
  d->followData = true;
  d->updateTitle();
  d->dirty = true;
  flushPending();
}

void LossPlot::flushPending() {
  bool added = false;
  for (int t = 0; t < kTrackCount; ++t) {
    for (int i = 0; i < kSeriesCount; ++i) {
      PendingSeries& p = d->pending[t][i];
      if (p.keys.isEmpty()) continue;
      d->graphsOf(t)[i]->addData(p.keys, p.values, /*alreadySorted=*/true);
      p = PendingSeries{};
      added = true;
    }
  }
  if (!added && !d->dirty) {
    d->refreshTimer.stop();  // idle: no ticks until the next point arrives
    return;
  }
  d->dirty = false;
  d->emptyHint->setVisible(!d->hasData());
  d->fitRanges();
  d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::setPresentationScale(double scale) {
  if (scale <= 0.0 || scale == d->scale) return;
  d->scale = scale;
  d->applyScale();
  d->dirty = true;
  flushPending();
}

double LossPlot::presentationScale() const { return d->scale; }

void LossPlot::resetZoom() {
  d->followData = true;
  d->dirty = true;
  flushPending();
}

bool LossPlot::exportPng(const QString& path, int width, int height) {
  flushPending();
  return d->plot->savePng(path, width, height);
}

bool LossPlot::exportPdf(const QString& path, int width, int height) {
  flushPending();
  return d->plot->savePdf(path, width, height);
}

void LossPlot::exportPngWithDialog() {
  exportWithDialog(tr("Export plot as PNG"), QStandardPaths::PicturesLocation, QStringLiteral("training-curves.png"),
                   tr("PNG images (*.png)"), [this](const QString& path) { return exportPng(path); });
}

void LossPlot::exportPdfWithDialog() {
  exportWithDialog(tr("Export plot as PDF"), QStandardPaths::DocumentsLocation, QStringLiteral("training-curves.pdf"),
                   tr("PDF documents (*.pdf)"), [this](const QString& path) { return exportPdf(path); });
}

void LossPlot::exportWithDialog(const QString& title, QStandardPaths::StandardLocation folder,
                                const QString& fileName, const QString& filter,
                                const std::function<bool(const QString&)>& write) {
  const QString dir = QStandardPaths::writableLocation(folder);
  const QString path = QFileDialog::getSaveFileName(this, title, QDir(dir).filePath(fileName), filter);
  if (path.isEmpty()) return;
  if (write(path))
    Q_EMIT exported(path);
  else
    Q_EMIT exportFailed(tr("Could not write %1").arg(path));
}

void LossPlot::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  d->fitLegendColumns(event->size().width());
}

void LossPlot::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  menu.addAction(tr("Reset zoom"), this, &LossPlot::resetZoom);
  menu.addSeparator();
  menu.addAction(tr("Export PNG…"), this, &LossPlot::exportPngWithDialog);
  menu.addAction(tr("Export PDF…"), this, &LossPlot::exportPdfWithDialog);
  menu.exec(event->globalPos());
}

}  // namespace tl
