#pragma once

#include "train/trainer.h"
#include "train/training_checkpoint.h"
#include "train/training_run.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// The checkpoint of `run` between two batches, for save_training_checkpoint.
/// Tensors: the model's, domain classifier's and source head's parameters and
/// buffers ("model/", "domain/", "source_head/"), the optimizer's state
/// ("optimizer/"), the random generators ("rng/") and the batch cyclers'
/// orders ("cycler/"). Progress: what the run must match to resume it, the
/// plan, learning rate, thread count and weight layout in force, the
/// `completed` epochs and where to continue: inside `partial`, the epoch the
/// run pauses in, or at the epoch after `epoch` when `partial` is null.
TrainingCheckpoint checkpoint_of_run(const TrainingRun& run, const TrainingOptions& options,
                                     const std::vector<EpochEvent>& completed, const EpochProgress* partial,
                                     int epoch);

/// Restores `run`, set up as the interrupted run was, from the checkpoint at
/// `path`, in this order: checks that the checkpoint was written for the same
/// job (architecture, epochs, batches per epoch, seed, optimizer); takes its
/// thread count and weight layout; switches to its freeze plan and learning
/// rate through `switch_plan`, called only when they differ from the run's;
/// then loads the weights, the optimizer's state, the random generators and
/// the training time so far. `completed` receives the checkpoint's epochs
/// (once they are read) and `partial` the epoch the run paused in (empty when
/// it stopped between epochs). Returns the epoch to continue at. Throws
/// naming `path` and the problem.
int restore_run_from_checkpoint(const std::string& path, TrainingRun& run, const TrainingOptions& options,
                                const std::function<void(const TrainingUpdate&)>& switch_plan,
                                std::vector<EpochEvent>& completed, std::optional<EpochProgress>& partial);

}  // namespace tl
