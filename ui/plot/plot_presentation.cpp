#include "plot/plot_presentation.h"

#include "plot/qcustomplot_no_keywords.h"
#include "style/presentation_scale.h"

#include <algorithm>

namespace tl {
namespace {

constexpr double kSmallestPointSize = 7.0;

void applyScale(QCustomPlot* plot, double penWidth, double pointSizeDelta) {
  const PresentationScale* scale = PresentationScale::instance();
  QFont font = scale->baseFont();
  if (font.pointSizeF() > 0) font.setPointSizeF(std::max(kSmallestPointSize, font.pointSizeF() + pointSizeDelta));
  font = scale->scaled(font);
  for (QCPAxisRect* rect : plot->axisRects()) {
    for (QCPAxis* axis : rect->axes()) {
      axis->setLabelFont(font);
      axis->setTickLabelFont(font);
    }
  }
  if (plot->legend) plot->legend->setFont(font);
  for (int i = 0; i < plot->graphCount(); ++i) {
    QPen pen = plot->graph(i)->pen();
    pen.setWidthF(penWidth * scale->factor());
    plot->graph(i)->setPen(pen);
  }
  plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace

void followPresentationScale(QCustomPlot* plot, double penWidth, double pointSizeDelta) {
  applyScale(plot, penWidth, pointSizeDelta);
  QObject::connect(PresentationScale::instance(), &PresentationScale::changed, plot,
                   [plot, penWidth, pointSizeDelta] { applyScale(plot, penWidth, pointSizeDelta); });
}

double scaledPenWidth(double width) { return width * PresentationScale::instance()->factor(); }

}  // namespace tl
