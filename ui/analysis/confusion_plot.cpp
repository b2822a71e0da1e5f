#include "analysis/confusion_plot.h"

#include "analysis/confusion_matrix.h"
#include "analysis/plot_png.h"
#include "plot/qcustomplot_no_keywords.h"
#include "util/text_format.h"

#include <QCheckBox>
#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

namespace tl {

namespace {

constexpr int kPanels = 3;

/// A gradient through three colours, at 0, ½ and 1.
QCPColorGradient gradientThrough(const QColor& low, const QColor& middle, const QColor& high) {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.0, low);
  g.setColorStopAt(0.5, middle);
  g.setColorStopAt(1.0, high);
  return g;
}

/// White to a dark blue: lightness carries the value, readable without colour vision.
QCPColorGradient sequentialGradient() {
  return gradientThrough(QColor(255, 255, 255), QColor(107, 174, 214), QColor(8, 48, 107));
}

/// Blue (transfer lower) – white (equal) – orange (transfer higher): a pair
/// colour-blind readers tell apart, unlike red and green.
QCPColorGradient divergingGradient() {
  return gradientThrough(QColor(33, 102, 172), QColor(255, 255, 255), QColor(230, 97, 1));
}

QString signedText(double value) {
  const long rounded = std::lround(value);
  if (rounded == 0) return QStringLiteral("0");
  return (rounded > 0 ? QStringLiteral("+") : QStringLiteral("−")) + QString::number(std::labs(rounded));
}

/// Below this size a cell's number is not written: its colour tells the
/// value and its tooltip the number.
constexpr double kSmallestTextPoints = 5.5;

/// A cell's rectangle in pixels, from the axes of its matrix.
QRectF cellPixels(const QCPAxisRect* rect, int trueClass, int predicted) {
  const QCPAxis* x = rect->axis(QCPAxis::atBottom);
  const QCPAxis* y = rect->axis(QCPAxis::atLeft);
  return QRectF(QPointF(x->coordToPixel(predicted - 0.5), y->coordToPixel(trueClass - 0.5)),
                QPointF(x->coordToPixel(predicted + 0.5), y->coordToPixel(trueClass + 0.5)))
      .normalized();
}

/// Every cell's number of one matrix, written in one pass over the cells (one
/// plot item a cell made filling and redrawing the page slow), in the largest
/// font up to `base` that fits the cells.
class CellTexts : public QCPLayerable {
 public:
  CellTexts(QCustomPlot* plot, QCPAxisRect* rect, const QFont& base)
      : QCPLayerable(plot), rect_(rect), base_(base) {}

  QStringList texts;       ///< row-major
  std::vector<bool> dark;  ///< row-major: the cell's colour wants white text
  int n = 0;

  /// The font the numbers are drawn in on `device`, or nullopt when even the
  /// smallest readable one does not fit the cells.
  std::optional<QFont> fittedFont(QPaintDevice* device) const {
    const QSizeF cell = cellPixels(rect_, 0, 0).size();
    QFont font = base_;
    while (font.pointSizeF() >= kSmallestTextPoints) {
      const QFontMetricsF metrics(font, device);
      if (widestText(metrics) <= cell.width() - 2 && metrics.height() <= cell.height()) return font;
      font.setPointSizeF(font.pointSizeF() - 0.5);
    }
    return std::nullopt;
  }

 protected:
  void applyDefaultAntialiasingHint(QCPPainter* painter) const override {
    applyAntialiasingHint(painter, mAntialiased, QCP::aeItems);
  }
  QRect clipRect() const override { return rect_->rect(); }

  void draw(QCPPainter* painter) override {
    const std::optional<QFont> font = fittedFont(painter->device());
    if (!font) return;
    painter->setFont(*font);
    for (int row = 0; row < n; ++row) {
      for (int col = 0; col < n; ++col) {
        const size_t cell = static_cast<size_t>(row * n + col);
        painter->setPen(dark[cell] ? Qt::white : Qt::black);
        painter->drawText(cellPixels(rect_, row, col), Qt::AlignCenter, texts[static_cast<int>(cell)]);
      }
    }
  }

 private:
  double widestText(const QFontMetricsF& metrics) const {
    double widest = 0;
    for (const QString& text : texts) widest = std::max(widest, metrics.horizontalAdvance(text));
    return widest;
  }

  QCPAxisRect* rect_;
  QFont base_;
};

/// One heat map drawn: its values row-major and what the plot made of them.
struct PanelView {
  std::vector<double> values;
  QString title;
  QCPTextElement* heading = nullptr;
  QCPAxisRect* rect = nullptr;
  QCPColorMap* map = nullptr;
  CellTexts* texts = nullptr;
};

/// A cell under a pixel.
struct CellAt {
  ConfusionPlot::Panel panel;
  int trueClass;
  int predicted;
};

}  // namespace

struct ConfusionPlot::Impl {
  QCustomPlot* plot = nullptr;
  QCheckBox* normalise = nullptr;
  QCPMarginGroup* margins = nullptr;  ///< gives the panels the same margins, so cells of the same size
  QStringList classNames;
  QString twinName;
  std::vector<int64_t> transferCounts, twinCounts;
  std::vector<double> transferFractions, twinFractions;
  bool hasTwin = false;
  std::array<PanelView, kPanels> panels;

  int n() const { return static_cast<int>(classNames.size()); }
  bool normalised() const { return normalise->isChecked(); }
  const PanelView& panel(Panel p) const { return panels[static_cast<int>(p)]; }

  std::vector<double> valuesOf(Panel p) const;
  QString textOf(Panel p, double value) const;
  void drawPanel(Panel p, int column, const QString& title, QCPColorScale* scale, QCPMarginGroup* margins);
  QCPColorScale* addScale(int column, const QString& label, const QCPColorGradient& gradient, const QCPRange& range);
  void squareCells();
  std::optional<CellAt> cellAt(const QPoint& pixel) const;
};

std::vector<double> ConfusionPlot::Impl::valuesOf(Panel p) const {
  const auto asDoubles = [](const std::vector<int64_t>& counts) { return std::vector<double>(counts.begin(), counts.end()); };
  if (p == Panel::Transfer) return normalised() ? transferFractions : asDoubles(transferCounts);
  if (p == Panel::Twin) return normalised() ? twinFractions : asDoubles(twinCounts);
  std::vector<double> difference(transferCounts.size());
  for (size_t i = 0; i < difference.size(); ++i) {
    difference[i] = normalised() ? 100.0 * (transferFractions[i] - twinFractions[i])
                                 : static_cast<double>(transferCounts[i] - twinCounts[i]);
  }
  return difference;
}

QString ConfusionPlot::Impl::textOf(Panel p, double value) const {
  if (p == Panel::Difference) return signedText(value);
  if (normalised()) return QString::fromStdString(format_percent(value, 0));
  return QString::number(static_cast<qint64>(value));
}

QCPColorScale* ConfusionPlot::Impl::addScale(int column, const QString& label, const QCPColorGradient& gradient,
                                              const QCPRange& range) {
  auto* scale = new QCPColorScale(plot);
  plot->plotLayout()->addElement(1, column, scale);
  plot->plotLayout()->setColumnStretchFactor(column, 0.001);
  scale->setType(QCPAxis::atRight);
  scale->setGradient(gradient);
  scale->setDataRange(range);
  scale->setBarWidth(12);
  scale->axis()->setLabel(label);
  return scale;
}

void ConfusionPlot::Impl::drawPanel(Panel p, int column, const QString& title, QCPColorScale* scale,
                                    QCPMarginGroup* margins) {
  PanelView& view = panels[static_cast<int>(p)];
  view.values = valuesOf(p);
  view.title = title;
  view.heading = new QCPTextElement(plot, title, QFont(plot->font().family(), 10, QFont::Bold));
  plot->plotLayout()->addElement(0, column, view.heading);
  view.rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(1, column, view.rect);
  // Equal margins on every side, so the class names beside the first panel do
  // not make its cells smaller than the others'.
  view.rect->setMarginGroup(QCP::msLeft | QCP::msTop | QCP::msBottom, margins);

  QCPAxis* x = view.rect->axis(QCPAxis::atBottom);
  QCPAxis* y = view.rect->axis(QCPAxis::atLeft);
  QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
  for (int i = 0; i < n(); ++i) names->addTick(i, classNames[i]);
  for (QCPAxis* axis : {x, y}) {
    axis->setTicker(names);
    axis->setRange(-0.5, n() - 0.5);
    axis->grid()->setVisible(false);
  }
  y->setRangeReversed(true);  // the first class at the top, as the matrix is written
  y->setTickLabels(true);  // each matrix reads on its own
  x->setTickLabelRotation(45);
  x->setLabel(QObject::tr("predicted class"));
  if (column == 0) y->setLabel(QObject::tr("true class"));

  view.map = new QCPColorMap(x, y);
  view.map->data()->setSize(n(), n());
  view.map->data()->setRange(QCPRange(0, n() - 1), QCPRange(0, n() - 1));
  view.map->setInterpolate(false);
  view.map->setColorScale(scale);

  const QCPRange range = scale->dataRange();
  const bool diverging = p == Panel::Difference;
  view.texts = new CellTexts(plot, view.rect, QFont(plot->font().family(), n() > 10 ? 7 : 9));
  view.texts->n = n();
  for (int row = 0; row < n(); ++row) {
    for (int col = 0; col < n(); ++col) {
      const double value = view.values[static_cast<size_t>(row * n() + col)];
      view.map->data()->setCell(col, row, value);
      view.texts->texts << textOf(p, value);
      // Dark cells get white text; the middle of either gradient is light.
      const double strength = diverging ? std::abs(value) / std::max(std::abs(range.upper), 1e-9)
                                        : (value - range.lower) / std::max(range.size(), 1e-9);
      view.texts->dark.push_back(strength > (diverging ? 0.6 : 0.55));
    }
  }
}

/// Each matrix's cells square, the matrix centred in its panel under its
/// heading: the grid gives the panels the window's aspect, which in a tall
/// narrow panel made cells too narrow for three digits.
void ConfusionPlot::Impl::squareCells() {
  for (PanelView& view : panels) {
    if (!view.rect) continue;
    const QRect inner = view.rect->rect();
    const int side = std::min(inner.width(), inner.height());
    const int dx = (inner.width() - side) / 2;
    const int dy = (inner.height() - side) / 2;
    view.rect->setOuterRect(
        view.rect->outerRect().adjusted(dx, dy, -(inner.width() - side - dx), -(inner.height() - side - dy)));
    view.heading->setOuterRect(view.heading->outerRect().translated(0, dy));
  }
}

std::optional<CellAt> ConfusionPlot::Impl::cellAt(const QPoint& pixel) const {
  for (int i = 0; i < kPanels; ++i) {
    const PanelView& view = panels[static_cast<size_t>(i)];
    if (!view.rect || !view.rect->rect().contains(pixel)) continue;
    const int col = static_cast<int>(std::lround(view.rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x())));
    const int row = static_cast<int>(std::lround(view.rect->axis(QCPAxis::atLeft)->pixelToCoord(pixel.y())));
    if (row >= 0 && row < n() && col >= 0 && col < n()) return CellAt{static_cast<Panel>(i), row, col};
    return std::nullopt;
  }
  return std::nullopt;
}

ConfusionPlot::ConfusionPlot(QWidget* parent) : QWidget(parent), d(std::make_unique<Impl>()) {
  d->plot = new QCustomPlot(this);
  d->plot->setCursor(Qt::PointingHandCursor);
  d->margins = new QCPMarginGroup(d->plot);
  connect(d->plot, &QCustomPlot::afterLayout, this, [this] { d->squareCells(); });
  d->plot->installEventFilter(this);
  d->normalise = new QCheckBox(tr("Row-normalised (share of each true class)"), this);
  d->normalise->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);  // clipped, not widening a presentation-mode window
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d->normalise);
  layout->addWidget(d->plot, 1);
  connect(d->normalise, &QCheckBox::toggled, this, [this] { redraw(); });
  connect(d->plot, &QCustomPlot::mousePress, this,
          [this](QMouseEvent* event) {
            if (event->button() == Qt::LeftButton) handleClick(event->position().toPoint());
          });
  clear();
}

ConfusionPlot::~ConfusionPlot() = default;

void ConfusionPlot::setMatrices(const ConfusionMatrix& transfer, const ConfusionMatrix* twin, const QString& twinName) {
  d->classNames.clear();
  for (const std::string& name : transfer.class_names) d->classNames << QString::fromStdString(name);
  d->transferCounts = transfer.counts;
  d->transferFractions = transfer.row_normalised();
  d->hasTwin = twin != nullptr && twin->class_names == transfer.class_names;
  d->twinCounts = d->hasTwin ? twin->counts : std::vector<int64_t>{};
  d->twinFractions = d->hasTwin ? twin->row_normalised() : std::vector<double>{};
  d->twinName = twinName.isEmpty() ? tr("twin") : twinName;
  redraw();
}

void ConfusionPlot::clear() {
  d->classNames.clear();
  d->transferCounts.clear();
  d->transferFractions.clear();
  d->twinCounts.clear();
  d->twinFractions.clear();
  d->hasTwin = false;
  redraw();
}

void ConfusionPlot::setRowNormalised(bool normalised) { d->normalise->setChecked(normalised); }
bool ConfusionPlot::isRowNormalised() const { return d->normalised(); }

void ConfusionPlot::redraw() {
  QCustomPlot* plot = d->plot;
  for (PanelView& view : d->panels) delete view.texts;
  plot->clearPlottables();
  plot->plotLayout()->clear();
  plot->plotLayout()->simplify();
  d->panels = {};
  if (d->n() == 0) {
    plot->replot();
    return;
  }
  QCPMarginGroup* margins = d->margins;
  const auto maxOf = [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); };
  double top = maxOf(d->valuesOf(Panel::Transfer));
  if (d->hasTwin) top = std::max(top, maxOf(d->valuesOf(Panel::Twin)));
  const QCPRange shared(0, d->normalised() ? 1.0 : std::max(top, 1.0));
  const QString unit = d->normalised() ? tr("share of the true class") : tr("test images");
  // Columns: transfer [twin] scale [difference its-scale]; one scale for both
  // matrices, so equal colours mean equal values.
  const int scaleColumn = d->hasTwin ? 2 : 1;
  QCPColorScale* scale =
      d->addScale(scaleColumn, d->hasTwin ? tr("%1, both matrices").arg(unit) : unit, sequentialGradient(), shared);
  d->drawPanel(Panel::Transfer, 0, tr("Transfer"), scale, margins);
  if (d->hasTwin) {
    d->drawPanel(Panel::Twin, 1, d->twinName, scale, margins);
    double extent = 1.0;
    for (double v : d->valuesOf(Panel::Difference)) extent = std::max(extent, std::abs(v));
    QCPColorScale* diverging =
        d->addScale(4, d->normalised() ? tr("transfer − twin (points)") : tr("transfer − twin (images)"),
                    divergingGradient(), QCPRange(-extent, extent));
    // The scale beside it says which way the difference goes; a longer heading
    // would widen its column at the matrices' expense.
    d->drawPanel(Panel::Difference, 3, tr("Difference"), diverging, margins);
  }
  plot->plotLayout()->setRowStretchFactor(0, 0.001);
  plot->replot();
}

void ConfusionPlot::handleClick(const QPoint& pixel) {
  if (const std::optional<CellAt> cell = d->cellAt(pixel)) Q_EMIT cellActivated(cell->panel, cell->trueClass, cell->predicted);
}

QString ConfusionPlot::cellToolTip(const QPoint& pixel) const {
  const std::optional<CellAt> cell = d->cellAt(pixel);
  if (!cell) return tr("Click a cell to see its test images");
  return tr("%1: %2 predicted as %3: %4\nClick to see its test images")
      .arg(d->panel(cell->panel).title, d->classNames[cell->trueClass], d->classNames[cell->predicted],
           cellText(cell->panel, cell->trueClass, cell->predicted));
}

bool ConfusionPlot::eventFilter(QObject* watched, QEvent* event) {
  if (watched == d->plot && event->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(event);
    QToolTip::showText(help->globalPos(), cellToolTip(help->pos()), d->plot);
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

bool ConfusionPlot::hasPanel(Panel panel) const { return d->panel(panel).map != nullptr; }
int ConfusionPlot::classes() const { return d->n(); }

double ConfusionPlot::cellValue(Panel panel, int trueClass, int predicted) const {
  const PanelView& view = d->panel(panel);
  if (!view.map) return std::nan("");
  return view.map->data()->cell(predicted, trueClass);
}

QString ConfusionPlot::cellText(Panel panel, int trueClass, int predicted) const {
  const PanelView& view = d->panel(panel);
  if (!view.map) return QString();
  return view.texts->texts.at(trueClass * d->n() + predicted);
}

QPoint ConfusionPlot::cellCentre(Panel panel, int trueClass, int predicted) const {
  return cellRect(panel, trueClass, predicted).center();
}

QRect ConfusionPlot::cellRect(Panel panel, int trueClass, int predicted) const {
  const PanelView& view = d->panel(panel);
  if (!view.rect) return QRect();
  d->plot->replot();  // the layout is computed while drawing
  return cellPixels(view.rect, trueClass, predicted).toRect();
}

std::optional<QFont> ConfusionPlot::cellFont(Panel panel) const {
  const PanelView& view = d->panel(panel);
  if (!view.texts) return std::nullopt;
  d->plot->replot();
  return view.texts->fittedFont(d->plot);
}

QCustomPlot* ConfusionPlot::customPlot() const { return d->plot; }
QCheckBox* ConfusionPlot::normaliseToggle() const { return d->normalise; }

bool ConfusionPlot::exportPng(const QString& path, int width, int height) {
  return d->plot->savePng(path, width, height);
}

bool ConfusionPlot::exportPdf(const QString& path, int width, int height) {
  return d->plot->savePdf(path, width, height);
}

QByteArray ConfusionPlot::pngBytes(int width, int height) { return plotPngBytes(d->plot, width, height); }

}  // namespace tl
