#pragma once

#include "models/transfer_model.h"
#include "transfer/freeze_plan.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

/// When frozen blocks thaw during a run. JSON "none", "gradual", "two_phase".
enum class UnfreezeKind { None, Gradual, TwoPhase };
/// The learning rate's shape over a run. JSON "constant", "step", "cosine", "one_cycle".
enum class LrShape { Constant, Step, Cosine, OneCycle };

std::string unfreeze_name(UnfreezeKind kind);
/// Throws std::invalid_argument listing the names.
UnfreezeKind unfreeze_from_name(const std::string& name);
std::string lr_shape_name(LrShape shape);
/// Throws std::invalid_argument listing the names.
LrShape lr_shape_from_name(const std::string& name);
const std::vector<UnfreezeKind>& all_unfreeze_kinds();
const std::vector<LrShape>& all_lr_shapes();

/// The learning rate's shape over a run: a factor on the base rate at each optimizer step.
struct LrSchedule {
  LrShape shape = LrShape::Constant;
  int step_epochs = 5;            ///< Step: multiply by gamma every step_epochs epochs
  double gamma = 0.1;             ///< Step
  double warmup_fraction = 0.1;   ///< OneCycle (ULMFiT's slanted triangular): share of the steps rising
  double peak_ratio = 32.0;       ///< OneCycle: peak rate / lowest rate (ULMFiT's ratio)

  /// Factor at 0-based optimizer step `step` of `total_steps`, `batches_per_epoch` per epoch:
  /// Constant 1; Step gamma^floor(epoch_index / step_epochs); Cosine 0.5(1+cos(pi·step/total));
  /// OneCycle (1 + p(ratio−1))/ratio with p rising 0→1 over the first warmup_fraction of the
  /// steps, then falling 1→0.
  double factor(int64_t step, int64_t total_steps, int64_t batches_per_epoch) const;
  bool operator==(const LrSchedule& o) const;
  bool operator!=(const LrSchedule& o) const { return !(*this == o); }
};

/// "transfer.schedule" in the config.
struct TrainingSchedule {
  UnfreezeKind unfreeze = UnfreezeKind::None;
  /// Gradual (ULMFiT): one more block thaws, from the top, every N epochs.
  int unfreeze_every = 1;
  /// TwoPhase (fastai fine_tune freeze_epochs): epochs with only the head
  /// (and re-initialised layers) training.
  int head_epochs = 1;
  /// TwoPhase: after the head phase the lowest trained block runs at
  /// base/lr_mult, blocks between spaced geometrically (fastai slice(lr/lr_mult, lr)).
  double lr_mult = 10.0;
  /// (0,1]: each block's multiplier = the one above it × layer_decay (head = 1);
  /// 1 = off; e.g. 0.385 ≈ 1/2.6 (ULMFiT).
  double layer_decay = 1.0;
  LrSchedule lr;

  bool is_default() const;  ///< == TrainingSchedule{}
  bool operator==(const TrainingSchedule& o) const;
  bool operator!=(const TrainingSchedule& o) const { return !(*this == o); }
};

/// The plan in force at 1-based `epoch`, given the plan the strategy (and the
/// tree's edits) give for the whole run (`final_plan`): layers frozen in
/// final_plan stay frozen; the head and re-initialised layers always train;
/// Gradual: at epoch e the top floor((e−1)/unfreeze_every) blocks that
/// final_plan trains are trainable (counting from the top); TwoPhase: epochs
/// ≤ head_epochs train only the head, later ones final_plan with lr_mult
/// spacing; layer_decay multiplies each trained block's multiplier by decay^k
/// (k = its rank from the top among blocks, head k=0). Pure function; the one
/// place these rules live.
FreezePlan plan_at_epoch(const FreezePlan& final_plan, const TransferModelImpl& model,
                         const TrainingSchedule& s, int epoch);

/// One row per block (from the input up, then "head"): per epoch the learning
/// rate at its first step (0 = frozen).
struct TimelineRow {
  std::string block;
  std::vector<double> lr;
};
std::vector<TimelineRow> schedule_timeline(const FreezePlan& final_plan, const TransferModelImpl& model,
                                           const TrainingSchedule& s, int epochs, double base_lr,
                                           int64_t batches_per_epoch);

/// JSON of "transfer.schedule" with every field written. It is read back
/// with the rest of the config (experiment/experiment_config.cpp), whose
/// errors name the field ("transfer.schedule.unfreeze_every: expected an
/// integer >= 1, got 0").
nlohmann::json schedule_to_json(const TrainingSchedule& s);

}  // namespace tl
