#pragma once

// The session's core objects for .cpp files that may include LibTorch (the
// training controller, the data panel). Never include this from a header
// that has Q_OBJECT.

#include "experiment/experiment.h"
#include "session/experiment_session.h"

namespace tl {

/// The config the GUI shows, layer edits included: start a run with it and it
/// is the run `transferlab-cli run` would do with configJson().
ExperimentConfig sessionConfig(const ExperimentSession& session);

/// The model the layer tree shows, with the plan applied. Owned by the
/// session and used on the GUI thread only: a training run prepares its own.
const PreparedModel& sessionPreparedModel(const ExperimentSession& session);

}  // namespace tl
