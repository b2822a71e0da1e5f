#pragma once

// The window's colours in one place. They come from Okabe and Ito's palette,
// whose hues stay apart for the common colour-vision deficiencies; where two
// things must be told apart, a line style, marker or symbol says it too, so
// nothing rests on colour alone.

#include "experiment/verdict_label.h"

#include <QColor>
#include <QString>
#include <Qt>

namespace tl::style {

/// Okabe & Ito, "Color Universal Design" (2008).
namespace okabe_ito {
inline const QColor kOrange{230, 159, 0};
inline const QColor kSkyBlue{86, 180, 233};
inline const QColor kBluishGreen{0, 158, 115};
inline const QColor kYellow{240, 228, 66};
inline const QColor kBlue{0, 114, 178};
inline const QColor kVermillion{213, 94, 0};
inline const QColor kReddishPurple{204, 121, 167};
}  // namespace okabe_ito

/// Which run a curve belongs to: the transfer run, or its twin.
enum class CurveRun { Transfer, Twin };
/// What a curve measures on: the training batches or the validation split.
enum class CurveSplit { Train, Validation };

/// Blue for training and orange for validation; the twin's are lighter
/// (sky blue) and darker (vermillion), and drawn in other line styles.
QColor curveColor(CurveRun run, CurveSplit split);

/// The i-th of many curves of one kind (the Runs view's overlay): a colour and
/// a line style that both change from one curve to the next.
QColor seriesColor(int index);
Qt::PenStyle seriesPenStyle(int index);

/// The DANN panel: the domain classifier's accuracy and λ.
inline QColor domainAccuracyColor() { return okabe_ito::kVermillion; }
inline QColor lambdaColor() { return okabe_ito::kBlue; }

/// How the verdict banner shows a label: a symbol and a colour for it, on a
/// pale background. Positive is blue, negative vermillion; inconclusive and
/// single seed are neutral greys, since they claim nothing.
struct VerdictLook {
  QString symbol;      ///< "▲", "▼", "●", "◆"
  QColor symbolColor;  ///< saturated, drawn on `background`
  QColor background;   ///< pale enough for black text
};
VerdictLook verdictLook(VerdictLabel label);

}  // namespace tl::style
