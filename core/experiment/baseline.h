#pragma once

#include "experiment/experiment.h"
#include "experiment/job_identity.h"
#include "experiment/run_record.h"
#include "experiment/verdict_label.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// The from-scratch twin of a transfer config: the same architecture, target
/// data, seeds and training budget, but no pretrained weights (model.pretrained
/// cleared, model.architecture set, read from the checkpoint when the config
/// leaves it empty), strategy full fine-tuning, no per-layer edits and no
/// mitigations. Its name gets " (scratch twin)". Throws ConfigError when `transfer` has no
/// pretrained model: a from-scratch run has nothing to compare with.
ExperimentConfig scratch_twin(const ExperimentConfig& transfer);

/// The source-only twin of a domain-adversarial run: the same model, plan,
/// data, seed and budget with no reversed gradient reaching the features
/// (mitigations.dann.adversarial false), so the two differ only in the
/// adaptation; its domain classifier still shows how separable the domains stay. Its name gets " (source-only twin)". Throws ConfigError when
/// `dann_run` has no DANN.
ExperimentConfig source_only_twin(const ExperimentConfig& dann_run);

/// What a run is compared with: a DANN run with its source-only twin, any
/// other run with its scratch twin.
enum class TwinKind { Scratch, SourceOnly };
TwinKind twin_kind(const ExperimentConfig& config);
JobRole twin_role(TwinKind kind);
std::string twin_name(TwinKind kind);     ///< "scratch twin", "source-only twin" (job_role_name)
std::string twin_id(TwinKind kind);       ///< "scratch", "source_only" (run.json)
ExperimentConfig twin_config(const ExperimentConfig& config);  ///< the twin of twin_kind(config)

/// Prepares the twin of an already prepared transfer run. The twin trains on
/// the transfer run's very tensors (normalised with the checkpoint's
/// statistics), so a scratch twin differs only in the starting weights and
/// the plan, a source-only twin only in the adversarial term.
PreparedExperiment prepare_twin(const PreparedExperiment& transfer);

/// Test accuracies of one seed's transfer run and its twin, as fractions.
struct SeedPair {
  uint64_t seed = 0;
  double transfer = 0.0;
  double baseline = 0.0;
  std::vector<double> transfer_per_class;
  std::vector<double> baseline_per_class;
};

/// Mean and sample standard deviation (0 for a single value).
struct MeanStd {
  double mean = 0.0;
  double std = 0.0;
};
MeanStd mean_std(const std::vector<double>& values);

/// Did the transfer help? Over K seeds with paired differences
/// d_i = transfer_i − baseline_i (in accuracy points, ×100):
///   gap = mean(d), std = sample standard deviation of d (0 when K = 1),
///   threshold = max(1 point, 2·std/√K)  (about a 95% interval of the mean),
///   positive when gap > threshold, negative when gap < −threshold,
///   inconclusive otherwise (the gap sits inside the seed noise);
///   single seed when K = 1, whatever the gap: one seed has no spread to
///   tell an effect from seed noise (verdict_label_for).
struct Verdict {
  VerdictLabel label = VerdictLabel::Inconclusive;
  double gap = 0.0;               ///< points
  double std = 0.0;               ///< points
  double threshold = 0.0;         ///< points
  int64_t seeds = 0;
  std::vector<double> per_class;  ///< mean gap per class, points
  std::string baseline = "scratch twin";  ///< what the transfer run was compared with (twin_name)

  /// {"label", "gap", "std", "threshold", "seeds", "per_class", "baseline"}.
  nlohmann::json to_json() const;
  /// "positive transfer, +12.4 ± 1.1 points over 3 seeds against the scratch twin";
  /// over one seed, the gap without a claim: "single seed, +2.0 points against
  /// the scratch twin — run 3 seeds to tell an effect from noise".
  std::string sentence() const;
};

/// The smallest gap, in points, ever called positive or negative.
constexpr double kMinVerdictGapPoints = 1.0;

/// Judges the pairs by the rule above. Throws std::invalid_argument when
/// `pairs` is empty or per-class accuracies disagree in length.
Verdict judge_transfer(const std::vector<SeedPair>& pairs, TwinKind baseline = TwinKind::Scratch);

/// One seed's runs.
struct SeedRuns {
  uint64_t seed = 0;
  RunRecord transfer;
  std::optional<RunRecord> baseline;  ///< when a twin ran
};

/// Everything a repeated run with twins produced.
struct Comparison {
  std::vector<SeedRuns> runs;     ///< in seed order; ends early at a run that did not finish
  TwinKind twin = TwinKind::Scratch;
  std::optional<Verdict> verdict;  ///< when every seed's transfer run and twin finished
  /// The first seed's trained transfer model as export_model makes it
  /// (experiment/model_export.h); absent when that run did not finish or
  /// cannot be exported (progressive networks).
  std::optional<Checkpoint> exported_model;
  /// The first seed's trained twin, exported the same way, so the two models
  /// can be analysed side by side.
  std::optional<Checkpoint> exported_twin_model;

  /// The run.json sections: "transfer" and, with twins, "baseline" (each
  /// {"test_accuracy": {"mean", "std"}}, fractions) and "verdict"; plus
  /// "per_seed" rows; "baseline" also says which twin ("kind").
  nlohmann::json sections() const;
};

/// Trains one job; `job_id` says which (seed, transfer or twin, place in the run).
using TrainFunction = std::function<TrainingOutcome(TrainingJob job, const JobIdentity& job_id)>;

/// Runs `config` for `seeds` seeds (seed s = config.training.seed + i, set as
/// both training.seed and target.seed) and, when `twin`, its twin (twin_kind)
/// for each. `train` defaults to Trainer::run. Stops after the first run that did
/// not finish (cancelled or failed). Throws ConfigError for seeds < 1 and as
/// prepare_experiment does.
Comparison run_comparison(const ExperimentConfig& config, int64_t seeds, bool twin, const TrainFunction& train = {});

}  // namespace tl
