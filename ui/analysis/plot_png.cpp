#include "analysis/plot_png.h"

#include "plot/qcustomplot_no_keywords.h"

#include <QBuffer>

namespace tl {

QByteArray plotPngBytes(QCustomPlot* plot, int width, int height) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  plot->toPixmap(width, height).save(&buffer, "PNG");
  return bytes;
}

}  // namespace tl
