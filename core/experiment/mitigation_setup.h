#pragma once

#include "experiment/experiment.h"

namespace tl {

/// Refuses an unlabelled target (target.labelled false) that nothing could
/// train on, before any data is loaded. Throws ConfigError.
void check_target_labels(const ExperimentConfig& config);

/// The mitigation combinations core refuses, checked on the config alone
/// (no data, no checkpoint read): what prepare_mitigations refuses first, so
/// a front end can mark a setup before a run fails on it. Throws ConfigError
/// with its field.
void check_mitigations(const ExperimentConfig& config);

/// Builds what the enabled mitigations need besides the target task: DANN's
/// labelled source and unlabelled target images, multi-task's source task and
/// head (both from the checkpoint's recorded source task). Throws ConfigError
/// for combinations core does not support.
void prepare_mitigations(PreparedExperiment& prepared);

}  // namespace tl
