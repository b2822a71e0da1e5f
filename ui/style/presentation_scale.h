#pragma once

#include <QFont>
#include <QObject>

namespace tl {

/// How much larger the window draws for an audience: 1 normally, more in
/// presentation mode. One per application. Setting it scales the application
/// font (every widget that does not fix its own size follows) and tells each
/// plot through changed(), since a plot's axis fonts and pen widths are its own:
/// a plot connects to changed() and reads factor() when it is built.
class PresentationScale : public QObject {
  Q_OBJECT

 public:
  /// The application's instance, made on first use (a QApplication must exist).
  static PresentationScale* instance();

  double factor() const { return factor_; }
  /// The application font at factor 1: what plots scale their own fonts from.
  QFont baseFont() const { return baseFont_; }
  /// `font` (as it reads at factor 1) enlarged by the current factor.
  QFont scaled(const QFont& font) const { return scaledFont(font, factor_); }
  static QFont scaledFont(QFont font, double factor);

  /// Scales the application font from baseFont(); emits changed() when the factor changes.
  void setFactor(double factor);

 Q_SIGNALS:
  void changed(double factor);

 private:
  explicit PresentationScale(QObject* parent);

  QFont baseFont_;
  double factor_ = 1.0;
};

}  // namespace tl
