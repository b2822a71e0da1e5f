#include "schedule/schedule_text.h"

#include "session/experiment_session.h"

#include <QCoreApplication>
#include <QStringList>

namespace tl {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("Schedule", text); }

QString number(double value) { return QString::number(value, 'g', 3); }

QString everyEpochs(int n) { return n == 1 ? tr("every epoch") : tr("every %1 epochs").arg(n); }

QString unfreezeSentence(const ScheduleSettings& s) {
  if (s.unfreeze == QLatin1String("gradual")) {
    return tr("Head only in the first %1, then one more block thaws from the top %2")
        .arg(s.unfreezeEvery == 1 ? tr("epoch") : tr("%1 epochs").arg(s.unfreezeEvery), everyEpochs(s.unfreezeEvery));
  }
  if (s.unfreeze == QLatin1String("two_phase")) {
    return tr("Head only for %1, then every trained block, the lowest at 1/%2 of the rate")
        .arg(s.headEpochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(s.headEpochs), number(s.lrMult));
  }
  return tr("The plan's blocks train from the first epoch");
}

QString lrSentence(const ScheduleSettings& s) {
  if (s.lrShape == QLatin1String("step")) {
    return tr("the learning rate is multiplied by %1 %2").arg(number(s.gamma), everyEpochs(s.stepEpochs));
  }
  if (s.lrShape == QLatin1String("cosine")) return tr("the learning rate falls along a cosine towards 0");
  if (s.lrShape == QLatin1String("one_cycle")) {
    return tr("the learning rate rises over the first %1% of the steps to %2× its lowest, then falls back")
        .arg(number(100.0 * s.warmupFraction), number(s.peakRatio));
  }
  return tr("the learning rate stays constant");
}

// The dotted path every one of `paths` lies under ("features.2" for
// "features.2.0, features.2.1"); the first path and "…" when they share none.
QString commonPath(const QString& list) {
  const QStringList paths = list.split(QStringLiteral(", "), Qt::SkipEmptyParts);
  if (paths.isEmpty()) return list;
  QStringList common = paths.front().split(QLatin1Char('.'));
  for (const QString& path : paths) {
    const QStringList parts = path.split(QLatin1Char('.'));
    int n = 0;
    while (n < common.size() && n < parts.size() && common[n] == parts[n]) ++n;
    common = common.mid(0, n);
  }
  if (common.isEmpty()) return paths.front() + (paths.size() > 1 ? QStringLiteral(" …") : QString());
  return common.join(QLatin1Char('.'));
}

}  // namespace

QString planChangeMarkerLabel(const QString& details) {
  const QString prefix = QStringLiteral("schedule: ");
  if (!details.startsWith(prefix)) return details;
  QStringList parts;
  for (const QString& part : details.mid(prefix.size()).split(QStringLiteral("; "))) {
    if (part.startsWith(QLatin1String("unfrozen: "))) {
      parts << tr("thaw %1").arg(commonPath(part.mid(10)));
    } else if (part.startsWith(QLatin1String("frozen: "))) {
      parts << tr("freeze %1").arg(commonPath(part.mid(8)));
    } else if (part == QLatin1String("learning-rate multipliers changed")) {
      parts << tr("new LR ×");
    } else {
      parts << part;
    }
  }
  return parts.join(QStringLiteral(", "));
}

QString scheduleSentence(const ScheduleSettings& schedule) {
  QString text = unfreezeSentence(schedule);
  if (schedule.layerDecay < 1.0) {
    text += tr("; each block trains at %1× the rate of the block above it").arg(number(schedule.layerDecay));
  }
  return text + QStringLiteral("; ") + lrSentence(schedule) + QLatin1Char('.');
}

QString scheduleSummary(const ScheduleSettings& schedule) {
  QStringList parts;
  if (schedule.unfreeze == QLatin1String("gradual")) {
    parts << tr("gradual unfreezing %1").arg(everyEpochs(schedule.unfreezeEvery));
  } else if (schedule.unfreeze == QLatin1String("two_phase")) {
    parts << tr("head only for %1 then all").arg(schedule.headEpochs == 1 ? tr("1 epoch")
                                                                          : tr("%1 epochs").arg(schedule.headEpochs));
  }
  if (schedule.layerDecay < 1.0) parts << tr("layer LR decay %1").arg(number(schedule.layerDecay));
  if (schedule.lrShape == QLatin1String("step")) parts << tr("step LR");
  if (schedule.lrShape == QLatin1String("cosine")) parts << tr("cosine LR");
  if (schedule.lrShape == QLatin1String("one_cycle")) parts << tr("one-cycle LR");
  return parts.join(QStringLiteral(", "));
}

}  // namespace tl
