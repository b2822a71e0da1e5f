#include "analysis/plot_png.h"

#include "plot/qcustomplot_no_keywords.h"

#include <QBuffer>
#include <QImage>

namespace tl {

namespace {

QByteArray encodePng(const QImage& image) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "PNG");
  return bytes;
}

bool isOpaque(const QImage& image) {
  for (int y = 0; y < image.height(); ++y) {
    const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
    for (int x = 0; x < image.width(); ++x) {
      if (qAlpha(line[x]) != 255) return false;
    }
  }
  return true;
}

}  // namespace

QByteArray plotPngBytes(QCustomPlot* plot, int width, int height) {
  return encodePng(plot->toPixmap(width, height).toImage());
}

RecordedPlot::RecordedPlot(QCustomPlot* plot, QSize size) : size_(size) {
  QPicture picture;
  QCPPainter painter(&picture);
  if (!painter.isActive()) return;
  plot->toPainter(&painter, size.width(), size.height());  // paints the background brush first
  painter.end();
  commands_ = QByteArray(picture.data(), static_cast<int>(picture.size()));
}

QByteArray RecordedPlot::pngBytes() const {
  if (commands_.isEmpty() || size_.isEmpty()) return {};
  QImage image(size_, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPicture picture;
  picture.setData(commands_.constData(), static_cast<uint>(commands_.size()));
  QCPPainter painter(&image);
  if (!painter.isActive()) return {};
  painter.setMode(QCPPainter::pmNoCaching);
  picture.play(&painter);
  painter.end();
  // A plot on a solid background is written as RGB, as toPixmap's image is.
  return encodePng(isOpaque(image) ? image.convertToFormat(QImage::Format_RGB32) : image);
}

}  // namespace tl
