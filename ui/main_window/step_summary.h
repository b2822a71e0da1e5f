#pragma once

// The one-line summaries of the setup's steps: what each step is set to, read
// from the session, so the whole experiment reads at a glance.

#include "training/training_controller.h"

#include <QList>
#include <QString>

#include <optional>

namespace tl {

class ExperimentSession;

/// The steps of an experiment, in the order the setup shows them.
enum class SetupStep { Model, Data, Strategy, Train, Analyse };
inline constexpr int kSetupStepCount = 5;

/// "Model", "Data", …: the step's name.
QString setupStepName(SetupStep step);
/// "1 Model", "2 Data", …: the step's name with its number (Alt+number).
QString setupStepTitle(SetupStep step);

/// "small_cnn, pretrained on classes 0–4" or "small_cnn, untrained".
QString modelStepSummary(const ExperimentSession& session);
/// "classes 5–9, 20 labels each, no shift".
QString dataStepSummary(const ExperimentSession& session);
/// "moderate similarity → partial fine-tuning: 1 of 3 blocks from the top",
/// with the mitigations that are on and the schedule when it is not the default.
QString strategyStepSummary(const ExperimentSession& session);
/// "5 epochs, batch 32, SGD at learning rate 0.01, seed 1".
QString trainStepSummary(const ExperimentSession& session);
/// The last run of this window: "no run yet", "running…", "last run:
/// finished, test accuracy 81.2%", "last run: stopped".
QString analyseStepSummary(TrainingController::State lastRun, double testAccuracy);

/// Class labels as ranges: {0, 1, 2, 3, 4} → "0–4", {0, 2, 5, 6, 7} → "0, 2, 5–7".
QString classRanges(QList<int> labels);

/// A step whose input core would refuse, and why.
struct StepProblem {
  SetupStep step = SetupStep::Model;
  QString message;  ///< core's ConfigError, naming its field
};

/// The first problem core's config checks (the target's labels, the
/// mitigation combinations) find in the session's config before any data is
/// loaded, on the step that holds the field; nothing when there is none.
std::optional<StepProblem> configProblem(const ExperimentSession& session);

/// The step that holds a config field: "target.labelled" → Data,
/// "mitigations.dann" → Strategy, …
SetupStep stepOfConfigField(const QString& field);

}  // namespace tl
