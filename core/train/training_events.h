#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// Plain value structs the trainer reports. They hold no tensors or model
/// pointers, so a listener may copy them to any thread.

/// After every optimisation step.
struct BatchEvent {
  int epoch = 0;                  ///< 1-based
  int64_t batch = 0;              ///< 1-based within the epoch
  int64_t batches_per_epoch = 0;
  double loss = 0.0;              ///< mean loss of this batch
  double progress = 0.0;          ///< fraction of all batches done, [0, 1]
  double elapsed_seconds = 0.0;   ///< time spent training, pauses excluded
  double eta_seconds = -1.0;      ///< estimated time left; -1 while unknown
  double domain_accuracy = -1.0;  ///< DANN: domain classifier accuracy on this batch; -1 without DANN
  double lambda = -1.0;           ///< DANN: gradient reversal strength used; -1 without DANN
};

/// After every epoch, once the validation set has been evaluated.
struct EpochEvent {
  int epoch = 0;  ///< 1-based
  double train_loss = 0.0;
  double train_accuracy = 0.0;  ///< [0, 1]
  double val_loss = 0.0;
  double val_accuracy = 0.0;    ///< [0, 1]
  double seconds = 0.0;         ///< wall time of this epoch, pauses excluded
  double domain_accuracy = -1.0;  ///< DANN: domain classifier accuracy over the epoch; -1 without DANN
  double lambda = -1.0;           ///< DANN: gradient reversal strength at the epoch's last step; -1 without DANN
  /// Empty, or why the run looks unhealthy: "features not aligned: ..." when
  /// the domain classifier stays above 95% accuracy, "task loss diverges: ..."
  /// when the training loss grew three epochs in a row.
  std::string warning;
};

/// An epoch as run.json, `runs show --json` and training checkpoints write
/// it: {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
/// "seconds"}, plus "domain_accuracy" and "lambda" for a DANN run and
/// "warning" when there is one.
nlohmann::json epoch_event_to_json(const EpochEvent& event);
/// Reads it back; absent DANN fields and warning keep their defaults. Throws
/// nlohmann::json::exception for a missing or mistyped required field.
EpochEvent epoch_event_from_json(const nlohmann::json& j);

/// Diverged: the loss became NaN or infinite and the run stopped before the
/// bad weights could replace the last checkpoint.
enum class RunStatus { Finished, Cancelled, Failed, Diverged };
std::string run_status_name(RunStatus status);  ///< "finished", "cancelled", "failed", "diverged"

/// What a line of the run's event log says happened: the start or
/// resumption of a run, a checkpoint, a change of the freeze plan or learning
/// rate, a warning (e.g. a checkpoint that could not be written), a diverged
/// loss, the end.
enum class RunEventKind { Start, Resume, Checkpoint, PlanChange, Warning, Diverged, End };
/// "start", "resume", "checkpoint", "plan_change", "warning", "diverged", "end":
/// the "kind" of events.jsonl.
std::string run_event_kind_name(RunEventKind kind);
/// Reads run_event_kind_name's text back; nothing for any other text.
std::optional<RunEventKind> run_event_kind_from_name(const std::string& name);

/// Something worth a line in the run's event log (DIR/events.jsonl).
struct RunEvent {
  std::string time;   ///< ISO 8601 UTC
  int epoch = 0;      ///< 1-based epoch the event happened in (before its batch `batch`)
  int64_t batch = 0;  ///< batches of that epoch done when it happened
  RunEventKind kind = RunEventKind::Warning;
  std::string details;
  /// Of the run, to place the event on an epoch axis (not in the log: the
  /// checkpoint has it); 0 when not known yet.
  int64_t batches_per_epoch = 0;
};

/// Once, when the training thread ends.
struct FinishedEvent {
  RunStatus status = RunStatus::Finished;
  std::string message;  ///< why it failed; empty otherwise
  int epochs_completed = 0;
};

/// Receives events on the training thread. Implementations must be quick and
/// must not call back into the trainer synchronously except pause/resume/cancel.
class TrainingListener {
 public:
  virtual ~TrainingListener() = default;
  virtual void on_batch(const BatchEvent&) {}
  virtual void on_epoch(const EpochEvent&) {}
  virtual void on_paused(bool /*paused*/) {}
  virtual void on_run_event(const RunEvent&) {}
  virtual void on_finished(const FinishedEvent&) {}
};

}  // namespace tl
