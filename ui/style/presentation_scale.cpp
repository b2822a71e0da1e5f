#include "style/presentation_scale.h"

#include <QApplication>
#include <QPointer>

#include <cmath>

namespace tl {

PresentationScale::PresentationScale(QObject* parent) : QObject(parent), baseFont_(QApplication::font()) {}

PresentationScale* PresentationScale::instance() {
  // Owned by the application, so it goes with it.
  static QPointer<PresentationScale> scale;
  if (!scale) scale = new PresentationScale(QCoreApplication::instance());
  return scale;
}

QFont PresentationScale::scaledFont(QFont font, double factor) {
  if (font.pointSizeF() > 0) font.setPointSizeF(font.pointSizeF() * factor);
  else if (font.pixelSize() > 0) font.setPixelSize(static_cast<int>(std::lround(font.pixelSize() * factor)));
  return font;
}

void PresentationScale::setFactor(double factor) {
  if (factor <= 0.0 || factor == factor_) return;
  factor_ = factor;
  QApplication::setFont(scaledFont(baseFont_, factor_));
  // The widgets learn of the new font through posted events: deliver them now,
  // so the window is consistent when this returns.
  QCoreApplication::sendPostedEvents(nullptr, QEvent::ApplicationFontChange);
  Q_EMIT changed(factor_);
}

}  // namespace tl
