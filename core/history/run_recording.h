#pragma once

#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "history/run_history.h"

#include <optional>
#include <string>

namespace tl {

/// The history row of a run whose record was written to `output_dir`
/// (write_run). `origin` says who ran it: "cli" or "gui".
HistoryRun history_run_from(const RunRecord& record, const std::string& output_dir, const std::string& origin);

/// The history row of a run with twins, as write_comparison wrote it to
/// `output_dir`: the first seed's transfer run (its curves and config), the
/// mean test accuracy over the seeds, the verdict, and the training time of
/// every job.
HistoryRun history_run_from(const Comparison& comparison, const std::string& output_dir, const std::string& origin);

/// The model or checkpoint file a run left in its directory: model.safetensors
/// when present, else the newest *.safetensors in the directory or one level
/// below it (twin/ excluded: that is the twin's); empty when there is none.
std::string produced_model_file(const std::string& output_dir);

/// How a recorded run was repeated: `run --seeds K --twin`, or the GUI's
/// "Seeds" and "Compare with twin".
struct RunRepetition {
  int seeds = 1;
  bool twin = false;
  bool operator==(const RunRepetition& o) const { return seeds == o.seeds && twin == o.twin; }
};

/// The repetition of the run recorded in `output_dir`, from its run.json: a
/// comparison lists every seed that ran in "per_seed", each with its
/// "baseline" when it had a twin. A single run, or a directory that is gone
/// or unreadable, is one seed without a twin.
RunRepetition recorded_repetition(const std::string& output_dir);

/// Adds `run` to the history at `history_path` (default: default_history_path()).
/// Never throws: recording is a convenience and must not fail the run, so on
/// any error it returns nothing and sets `*warning` to a line naming the
/// database and the problem.
std::optional<int64_t> record_in_history(const HistoryRun& run, std::string* warning,
                                         const std::string& history_path = {});

}  // namespace tl
