#pragma once

#include "history/run_history.h"

#include <string>
#include <vector>

namespace tl {

/// The per-epoch metrics of several runs as one CSV table, one row per run ×
/// epoch: run_id,name,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds.
/// Names are quoted when they hold a comma, a quote or a line break.
/// `runs` need their epochs (RunHistory::find).
std::string epochs_csv(const std::vector<HistoryRun>& runs);

/// Writes epochs_csv(runs) to `path` through a temporary file and a rename.
/// Throws naming the path on I/O errors.
void write_epochs_csv(const std::vector<HistoryRun>& runs, const std::string& path);

}  // namespace tl
