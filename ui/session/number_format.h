#pragma once

#include <QLocale>
#include <QString>

namespace tl {

/// 1234567 → "1,234,567" (the locale's grouping, kept even where the
/// locale would omit it: parameter counts are unreadable without it).
inline QString formatCount(qint64 n) {
  QLocale locale;
  locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
  return locale.toString(n);
}

/// 1.5e6 → "1.5 M", 2.3e9 → "2.3 G": FLOPs and large counts at a glance.
inline QString formatMagnitude(double n) {
  static const char* const suffixes[] = {"", " k", " M", " G", " T"};
  int i = 0;
  while (n >= 1000.0 && i < 4) {
    n /= 1000.0;
    ++i;
  }
  return QString::number(n, 'g', 3) + QLatin1String(suffixes[i]);
}

}  // namespace tl
