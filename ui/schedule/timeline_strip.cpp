#include "schedule/timeline_strip.h"

#include "plot/plot_presentation.h"
#include "style/palette.h"
#include "style/presentation_scale.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace tl {
namespace {

constexpr int kMaxHeight = 90;  // at factor 1: the curves keep the height
constexpr int kGap = 4;

// The confusion matrices' sequential blues, without their white end, which
// would read as "nothing" beside the grey of frozen cells.
const QColor kLowRate{198, 219, 239};
const QColor kHighRate{8, 48, 107};

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + t * (b.redF() - a.redF())),
                          static_cast<float>(a.greenF() + t * (b.greenF() - a.greenF())),
                          static_cast<float>(a.blueF() + t * (b.blueF() - a.blueF())));
}

QString rateText(double lr) { return QString::number(lr, 'g', 2); }

}  // namespace

TimelineStrip::TimelineStrip(ExperimentSession* session, QWidget* parent) : QWidget(parent), session_(session) {
  setObjectName(QStringLiteral("timelineStrip"));
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  for (auto signal : {&ExperimentSession::configChanged, &ExperimentSession::planChanged}) {
    connect(session, signal, this, &TimelineStrip::refresh);
  }
  connect(PresentationScale::instance(), &PresentationScale::changed, this, [this] {
    updateGeometry();
    update();
  });
  refresh();
}

void TimelineStrip::refresh() {
  rows_ = session_->scheduleTimeline(batchesPerEpoch_);
  lowestLr_ = highestLr_ = 0.0;
  for (const ScheduleTimelineRow& row : rows_) {
    for (double lr : row.lr) {
      if (lr <= 0.0) continue;
      lowestLr_ = lowestLr_ > 0.0 ? std::min(lowestLr_, lr) : lr;
      highestLr_ = std::max(highestLr_, lr);
    }
  }
  setVisible(!session_->schedule().isDefault());
  updateGeometry();
  update();
}

void TimelineStrip::setBatchesPerEpoch(qint64 batches) {
  if (batches < 1 || batches == batchesPerEpoch_) return;
  batchesPerEpoch_ = batches;
  refresh();
}

void TimelineStrip::setCurrentEpoch(int epoch) {
  if (epoch == currentEpoch_) return;
  currentEpoch_ = epoch;
  update();
}

QColor TimelineStrip::frozenColor() { return QColor(204, 204, 204); }

QColor TimelineStrip::lrColor(double lr) const {
  if (lr <= 0.0) return frozenColor();
  if (highestLr_ <= lowestLr_) return kHighRate;
  const double t = (std::log(lr) - std::log(lowestLr_)) / (std::log(highestLr_) - std::log(lowestLr_));
  return mix(kLowRate, kHighRate, std::clamp(t, 0.0, 1.0));
}

QFont TimelineStrip::stripFont() const {
  const PresentationScale* scale = PresentationScale::instance();
  QFont font = scale->baseFont();
  if (font.pointSizeF() > 0) font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1.0));
  return scale->scaled(font);
}

int TimelineStrip::rowHeight() const {
  const int rows = std::max(1, static_cast<int>(rows_.size()));
  const QFontMetrics metrics(stripFont());
  const double factor = PresentationScale::instance()->factor();
  const int room = static_cast<int>(kMaxHeight * factor) - metrics.height() - 2 * kGap;
  return std::clamp(room / rows, 4, metrics.height());
}

int TimelineStrip::labelWidth() const {
  const QFontMetrics metrics(stripFont());
  int width = 0;
  for (const ScheduleTimelineRow& row : rows_) width = std::max(width, metrics.horizontalAdvance(row.block));
  return width + kGap;
}

int TimelineStrip::legendWidth() const {
  const QFontMetrics metrics(stripFont());
  const int text = std::max({metrics.horizontalAdvance(rateText(lowestLr_)),
                             metrics.horizontalAdvance(rateText(highestLr_)), metrics.horizontalAdvance(tr("frozen"))});
  return 2 * kGap + metrics.height() + kGap + text;
}

QRect TimelineStrip::gridRect() const {
  const int rows = static_cast<int>(rows_.size());
  return QRect(labelWidth(), kGap, std::max(1, width() - labelWidth() - legendWidth()), rows * rowHeight());
}

QRect TimelineStrip::cellRect(int row, int epoch) const {
  const QRect grid = gridRect();
  const int rows = static_cast<int>(rows_.size());
  const int epochs = rows_.isEmpty() ? 0 : static_cast<int>(rows_.front().lr.size());
  if (row < 0 || row >= rows || epoch < 1 || epoch > epochs) return {};
  const int left = grid.left() + (epoch - 1) * grid.width() / epochs;
  const int right = grid.left() + epoch * grid.width() / epochs;
  const int top = grid.top() + (rows - 1 - row) * rowHeight();  // the head on top
  return QRect(left, top, right - left, rowHeight());
}

QSize TimelineStrip::sizeHint() const {
  const QFontMetrics metrics(stripFont());
  return QSize(400, static_cast<int>(rows_.size()) * rowHeight() + metrics.height() + 2 * kGap);
}

QSize TimelineStrip::minimumSizeHint() const { return QSize(labelWidth() + legendWidth() + 60, sizeHint().height()); }

void TimelineStrip::paintEvent(QPaintEvent*) {
  if (rows_.isEmpty()) return;
  QPainter painter(this);
  painter.setFont(stripFont());
  const QFontMetrics metrics(painter.font());
  const int epochs = static_cast<int>(rows_.front().lr.size());
  for (int r = 0; r < rows_.size(); ++r) {
    const QRect label(0, cellRect(r, 1).top(), labelWidth() - kGap, rowHeight());
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter, rows_[r].block);
    for (int e = 1; e <= epochs; ++e) {
      const QRect cell = cellRect(r, e).adjusted(0, 0, -1, -1);
      const double lr = rows_[r].lr[e - 1];
      painter.fillRect(cell, lrColor(lr));
      if (lr <= 0.0) painter.fillRect(cell, QBrush(QColor(150, 150, 150), Qt::BDiagPattern));
    }
  }
  // Epoch numbers under the columns, as many as fit.
  const QRect grid = gridRect();
  const int every = std::max(1, (metrics.horizontalAdvance(QString::number(epochs)) + kGap) * epochs / grid.width() + 1);
  painter.setPen(palette().color(QPalette::WindowText));
  for (int e = 1; e <= epochs; e += every) {
    const QRect column = cellRect(0, e);
    painter.drawText(QRect(column.left(), grid.bottom() + 1, column.width(), metrics.height()), Qt::AlignCenter,
                     QString::number(e));
  }
  if (currentEpoch_ >= 1 && currentEpoch_ <= epochs) {
    const QRect column = cellRect(0, currentEpoch_);
    painter.setPen(QPen(style::okabe_ito::kVermillion, scaledPenWidth(2.0)));
    painter.drawLine(column.center().x(), grid.top(), column.center().x(), grid.bottom());
  }
  paintLegend(painter, QRect(grid.right() + 2 * kGap, grid.top(), legendWidth() - 2 * kGap, grid.height()));
}

// A vertical ramp from the lowest rate (bottom) to the highest (top), and the frozen swatch.
void TimelineStrip::paintLegend(QPainter& painter, const QRect& area) const {
  const QFontMetrics metrics(painter.font());
  const int swatch = metrics.height();
  const QRect ramp(area.left(), area.top(), swatch, std::max(1, area.height() - swatch));
  for (int y = 0; y < ramp.height(); ++y) {
    const double t = ramp.height() > 1 ? 1.0 - static_cast<double>(y) / (ramp.height() - 1) : 1.0;
    painter.setPen(mix(kLowRate, kHighRate, t));
    painter.drawLine(ramp.left(), ramp.top() + y, ramp.right(), ramp.top() + y);
  }
  const QRect frozen(area.left(), ramp.bottom() + 1, swatch, swatch);
  painter.fillRect(frozen, frozenColor());
  painter.fillRect(frozen, QBrush(QColor(150, 150, 150), Qt::BDiagPattern));
  painter.setPen(palette().color(QPalette::WindowText));
  const int textLeft = ramp.right() + kGap;
  const int textWidth = area.right() - textLeft;
  painter.drawText(QRect(textLeft, ramp.top(), textWidth, swatch), Qt::AlignLeft | Qt::AlignTop, rateText(highestLr_));
  if (lowestLr_ < highestLr_) {
    painter.drawText(QRect(textLeft, ramp.bottom() - swatch, textWidth, swatch), Qt::AlignLeft | Qt::AlignBottom,
                     rateText(lowestLr_));
  }
  painter.drawText(QRect(textLeft, frozen.top(), textWidth, swatch), Qt::AlignLeft | Qt::AlignVCenter, tr("frozen"));
}

bool TimelineStrip::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  const auto* help = static_cast<QHelpEvent*>(event);
  const int epochs = rows_.isEmpty() ? 0 : static_cast<int>(rows_.front().lr.size());
  for (int r = 0; r < rows_.size(); ++r) {
    for (int e = 1; e <= epochs; ++e) {
      if (!cellRect(r, e).contains(help->pos())) continue;
      const double lr = rows_[r].lr[e - 1];
      const QString what = lr > 0.0 ? tr("learning rate %1").arg(QString::number(lr, 'g', 3)) : tr("frozen");
      QToolTip::showText(help->globalPos(), tr("%1, epoch %2: %3").arg(rows_[r].block).arg(e).arg(what), this);
      return true;
    }
  }
  QToolTip::showText(help->globalPos(), tr("When each block trains over the run, and at what learning rate "
                                           "(at each epoch's first step)"),
                     this);
  return true;
}

}  // namespace tl
