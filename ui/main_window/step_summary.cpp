#include "main_window/step_summary.h"

#include "session/experiment_session.h"
#include "schedule/schedule_text.h"
#include "session/session_config.h"

#include "experiment/mitigation_setup.h"
#include "util/text_format.h"

#include <QCoreApplication>
#include <QDir>

#include <algorithm>
#include <array>

namespace tl {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("SetupStep", text); }

// "1 epoch", "5 epochs".
QString counted(int n, const char* one, const char* many) { return n == 1 ? tr(one) : tr(many).arg(n); }

QString lowerFirst(const QString& text) { return text.left(1).toLower() + text.mid(1); }

QString labelsText(const ExperimentSession& session) {
  if (!session.targetLabelled()) return tr("no labels (unlabelled target)");
  if (session.shotsPerClass() == 0) return tr("all labels");
  return counted(session.shotsPerClass(), "1 label each", "%1 labels each");
}

QString shiftText(const ExperimentSession& session) {
  if (session.shiftKind() == QLatin1String("none") || session.shiftStrength() <= 0.0) return tr("no shift");
  return tr("%1 shift at %2").arg(session.shiftKind(), QString::fromStdString(format_percent(session.shiftStrength(), 0)));
}

// Which blocks the strategy's count names, as the strategy panel counts them.
QString blocksText(const ExperimentSession& session) {
  const QString strategy = session.strategyName();
  if (!ExperimentSession::strategyUsesBlocks(strategy)) return {};
  const QString of = tr("%1 of %2 blocks").arg(session.strategyBlocks()).arg(session.blockCount());
  return ExperimentSession::strategyCountsBlocksFromInput(strategy) ? tr(": %1 kept from the input").arg(of)
                                                                     : tr(": %1 from the top").arg(of);
}

QStringList mitigationNames(const MitigationSettings& m) {
  QStringList names;
  if (m.l2sp) names << tr("L2-SP");
  if (m.dann) names << tr("DANN");
  if (m.multitask) names << tr("multi-task");
  if (m.progressive) names << tr("progressive network");
  return names;
}

}  // namespace

QString setupStepName(SetupStep step) {
  switch (step) {
    case SetupStep::Model: return tr("Model");
    case SetupStep::Data: return tr("Data");
    case SetupStep::Strategy: return tr("Strategy");
    case SetupStep::Train: return tr("Train");
    case SetupStep::Analyse: return tr("Analyse");
  }
  return {};
}

QString setupStepTitle(SetupStep step) {
  return QStringLiteral("%1 %2").arg(static_cast<int>(step) + 1).arg(setupStepName(step));
}

QString classRanges(QList<int> labels) {
  std::sort(labels.begin(), labels.end());
  QStringList parts;
  for (int i = 0; i < labels.size();) {
    int j = i;
    while (j + 1 < labels.size() && labels[j + 1] == labels[j] + 1) ++j;
    // Two neighbours read better as "3, 4" than as a range.
    if (j - i >= 2) {
      parts << QStringLiteral("%1–%2").arg(labels[i]).arg(labels[j]);
    } else {
      for (int k = i; k <= j; ++k) parts << QString::number(labels[k]);
    }
    i = j + 1;
  }
  return parts.join(QStringLiteral(", "));
}

QString modelStepSummary(const ExperimentSession& session) {
  const ModelInfo info = session.modelInfo();
  if (!info.pretrained) return tr("%1, untrained (random weights)").arg(info.architecture);
  return tr("%1, pretrained on classes %2").arg(info.architecture, classRanges(session.sourceClasses()));
}

QString dataStepSummary(const ExperimentSession& session) {
  const QString folder = session.targetFolder();
  if (!folder.isEmpty()) return tr("image folder %1, %2").arg(QDir(folder).dirName(), labelsText(session));
  return tr("classes %1, %2, %3").arg(classRanges(session.targetClasses()), labelsText(session), shiftText(session));
}

QString strategyStepSummary(const ExperimentSession& session) {
  QString text = tr("%1 similarity → %2%3")
                     .arg(session.similarity(), lowerFirst(ExperimentSession::strategyTitle(session.strategyName())),
                          blocksText(session));
  if (session.isCustom()) text += tr(", edited in the layer tree");
  const QStringList mitigations = mitigationNames(session.mitigations());
  if (!mitigations.isEmpty()) text += tr("; with %1").arg(mitigations.join(QStringLiteral(", ")));
  const QString schedule = scheduleSummary(session.schedule());
  if (!schedule.isEmpty()) text += tr("; %1").arg(schedule);
  return text;
}

QString trainStepSummary(const ExperimentSession& session) {
  return tr("%1, batch %2, %3 at learning rate %4, seed %5")
      .arg(counted(session.epochs(), "1 epoch", "%1 epochs"))
      .arg(session.batchSize())
      .arg(session.optimizer())
      .arg(session.learningRate())
      .arg(session.seed());
}

QString analyseStepSummary(TrainingController::State lastRun, double testAccuracy) {
  using State = TrainingController::State;
  switch (lastRun) {
    case State::Idle: return tr("no run yet; probe a layer from the tree's context menu");
    case State::Finished:
      if (testAccuracy < 0.0) return tr("last run finished");
      return tr("last run finished, test accuracy %1").arg(QString::fromStdString(format_percent(testAccuracy)));
    case State::Cancelled: return tr("last run stopped before its end (not tested)");
    case State::Failed: return tr("last run failed");
    default: return tr("a run is in progress");
  }
}

SetupStep stepOfConfigField(const QString& field) {
  const QString section = field.section(QLatin1Char('.'), 0, 0);
  if (section == QLatin1String("model")) return SetupStep::Model;
  if (section == QLatin1String("target") || section == QLatin1String("source")) return SetupStep::Data;
  if (section == QLatin1String("transfer") || section == QLatin1String("mitigations")) return SetupStep::Strategy;
  return SetupStep::Train;  // training.*, seeds: where the run would fail
}

std::optional<StepProblem> configProblem(const ExperimentSession& session) {
  const ExperimentConfig config = sessionConfig(session);
  try {
    check_target_labels(config);
    check_mitigations(config);
  } catch (const ConfigError& e) {
    return StepProblem{stepOfConfigField(QString::fromStdString(e.field())), QString::fromStdString(e.what())};
  }
  return std::nullopt;
}

}  // namespace tl
