#include "analysis/grad_cam_overlay.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace tl {
namespace {

// A degree-6 polynomial fit of matplotlib's viridis per channel (Horner form,
// highest power last): smooth, and small enough to need no 256-entry table.
constexpr std::array<std::array<double, 7>, 3> kViridis = {{
    {0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081,
     4.776384997670288, -5.435455855934631},
    {0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509,
     -13.74514537774601, 4.645852612178535},
    {0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105,
     -65.35303263337234, 26.3124352495832},
}};

int channel(const std::array<double, 7>& c, double t) {
  double v = 0.0;
  for (auto it = c.rbegin(); it != c.rend(); ++it) v = v * t + *it;
  return static_cast<int>(std::lround(255.0 * std::clamp(v, 0.0, 1.0)));
}

int mix(int under, int over, double alpha) {
  return static_cast<int>(std::lround((1.0 - alpha) * under + alpha * over));
}

}  // namespace

QColor viridis(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return QColor(channel(kViridis[0], t), channel(kViridis[1], t), channel(kViridis[2], t));
}

QImage viridisScale(int width, int height) {
  QImage bar(std::max(width, 2), std::max(height, 1), QImage::Format_RGB32);
  for (int x = 0; x < bar.width(); ++x) {
    const QRgb colour = viridis(static_cast<double>(x) / (bar.width() - 1)).rgb();
    for (int y = 0; y < bar.height(); ++y) bar.setPixel(x, y, colour);
  }
  return bar;
}

QRgb blendHeat(QRgb image, double heat, double alpha) {
  const QColor colour = viridis(heat);
  return qRgb(mix(qRed(image), colour.red(), alpha), mix(qGreen(image), colour.green(), alpha),
              mix(qBlue(image), colour.blue(), alpha));
}

QImage heatOverlay(const QImage& image, const QVector<float>& heat, double alpha) {
  const int width = image.width();
  const int height = image.height();
  if (image.isNull() || heat.size() != static_cast<qsizetype>(width) * height) return {};
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  QImage out(width, height, QImage::Format_RGB32);
  for (int y = 0; y < height; ++y) {
    const auto* in = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    auto* row = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = 0; x < width; ++x) row[x] = blendHeat(in[x], heat[y * width + x], alpha);
  }
  return out;
}

}  // namespace tl
