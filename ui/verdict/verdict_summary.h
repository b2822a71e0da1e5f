#pragma once

// Torch-free: the verdict of a comparison as plain Qt values, so it can travel
// in signals and be shown by widgets that never see LibTorch.

#include "experiment/verdict_label.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tl {

/// What the verdict banner shows about a finished comparison.
struct VerdictSummary {
  VerdictLabel label = VerdictLabel::Inconclusive;
  QString sentence;           ///< Verdict::sentence(): "positive transfer, +12.4 ± 1.1 points over 3 seeds …"
  QString twinName;           ///< "scratch twin", "source-only twin": what the transfer was compared with
  double transferMean = 0.0;  ///< test accuracy, [0, 1], mean over seeds
  double baselineMean = 0.0;  ///< the twin's, [0, 1]
  int seeds = 0;
  QVector<double> perClassGap;  ///< points, transfer minus twin, in target class order
  QStringList classNames;       ///< same length as perClassGap
};

}  // namespace tl

Q_DECLARE_METATYPE(tl::VerdictSummary)
