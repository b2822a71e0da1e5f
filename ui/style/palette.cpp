#include "style/palette.h"

namespace tl::style {
namespace {

/// `color` mixed with white: the share of `color` is `amount`.
QColor tint(const QColor& color, double amount) {
  const auto mix = [amount](int channel) { return static_cast<int>(channel * amount + 255 * (1.0 - amount) + 0.5); };
  return QColor(mix(color.red()), mix(color.green()), mix(color.blue()));
}

constexpr double kBannerTint = 0.25;
const QColor kNeutralSymbol(90, 90, 90);

}  // namespace

// Okabe-Ito without yellow, which is too pale on white for a thin line.
QColor seriesColor(int index) {
  using namespace okabe_ito;
  static const QColor colours[] = {kBlue, kOrange, kBluishGreen, kVermillion, kReddishPurple, kSkyBlue, QColor(0, 0, 0)};
  constexpr int count = sizeof colours / sizeof colours[0];
  return colours[((index % count) + count) % count];
}

// Four styles against seven colours: no two of the first 28 curves look alike.
Qt::PenStyle seriesPenStyle(int index) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  return styles[((index % 4) + 4) % 4];
}

QColor curveColor(CurveRun run, CurveSplit split) {
  using namespace okabe_ito;
  if (run == CurveRun::Transfer) return split == CurveSplit::Train ? kBlue : kOrange;
  return split == CurveSplit::Train ? kSkyBlue : kVermillion;
}

VerdictLook verdictLook(VerdictLabel label) {
  switch (label) {
    case VerdictLabel::Positive:
      return {QStringLiteral("▲"), okabe_ito::kBlue, tint(okabe_ito::kBlue, kBannerTint)};
    case VerdictLabel::Negative:
      return {QStringLiteral("▼"), okabe_ito::kVermillion, tint(okabe_ito::kVermillion, kBannerTint)};
    case VerdictLabel::Inconclusive: return {QStringLiteral("●"), kNeutralSymbol, QColor(225, 225, 225)};
    case VerdictLabel::SingleSeed: return {QStringLiteral("◆"), kNeutralSymbol, QColor(238, 238, 238)};
  }
  return {QStringLiteral("●"), kNeutralSymbol, QColor(225, 225, 225)};
}

}  // namespace tl::style
