#include "experiment/baseline.h"

#include "experiment/model_export.h"
#include "weights/pretrained_catalog.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace tl {
namespace {

// Two standard errors of the mean difference: roughly a 95% interval.
constexpr double kNoiseMultiplier = 2.0;

std::string architecture_of(const ExperimentConfig& config) {
  if (!config.model.architecture.empty()) return config.model.architecture;
  return load_checkpoint(resolve_checkpoint(config.model.pretrained)).metadata.architecture;
}

TrainingOutcome train_in_place(TrainingJob job, const JobIdentity&) { return Trainer::run(std::move(job)); }

nlohmann::json accuracy_summary(const std::vector<double>& values) {
  const MeanStd s = mean_std(values);
  return {{"test_accuracy", {{"mean", s.mean}, {"std", s.std}}}};
}

nlohmann::json run_row(const RunRecord& r) {
  return {{"status", run_status_name(r.status)},
          {"test_accuracy", r.test_accuracy_json()},
          {"test_per_class_accuracy", r.test_per_class_accuracy_json()}};
}

bool finished(const RunRecord& r) { return r.status == RunStatus::Finished; }

SeedPair pair_of(const SeedRuns& s) {
  return {s.seed, s.transfer.test_accuracy, s.baseline->test_accuracy, s.transfer.test_per_class_accuracy,
          s.baseline->test_per_class_accuracy};
}

std::string signed_fixed(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f", v);
  return text;
}

}  // namespace

ExperimentConfig scratch_twin(const ExperimentConfig& transfer) {
  if (transfer.model.pretrained.empty()) {
    throw ConfigError("model.pretrained: expected a pretrained model; a run from scratch has no scratch twin to "
                      "compare with");
  }
  ExperimentConfig twin = transfer;
  twin.name = transfer.name + " (scratch twin)";
  twin.model.architecture = architecture_of(transfer);
  twin.model.pretrained.clear();
  twin.transfer.strategy = Strategy::FullFineTuning;
  twin.transfer.options = StrategyOptions{};
  twin.transfer.layers.clear();
  // Its rate follows the same shape over the same budget; with nothing
  // pretrained there is nothing to thaw gradually or to slow down by depth.
  twin.transfer.schedule = TrainingSchedule{};
  twin.transfer.schedule.lr = transfer.transfer.schedule.lr;
  // L2-SP, DANN, multi-task and progressive columns all lean on the
  // pretrained model; the twin shows what training without it gives.
  twin.mitigations = MitigationsConfig{};
  return twin;
}

ExperimentConfig source_only_twin(const ExperimentConfig& dann_run) {
  if (!dann_run.mitigations.dann) {
    throw ConfigError("mitigations.dann: a source-only twin is the control of a domain-adversarial run; enable dann");
  }
  ExperimentConfig twin = dann_run;
  twin.name = dann_run.name + " (source-only twin)";
  // The job stays identical (same batches, a domain classifier reporting how
  // separable the domains stay) while no reversed gradient reaches the features.
  twin.mitigations.dann_adversarial = false;
  return twin;
}

TwinKind twin_kind(const ExperimentConfig& config) {
  return config.mitigations.dann ? TwinKind::SourceOnly : TwinKind::Scratch;
}

JobRole twin_role(TwinKind kind) { return kind == TwinKind::SourceOnly ? JobRole::SourceOnlyTwin : JobRole::ScratchTwin; }

std::string twin_name(TwinKind kind) { return job_role_name(twin_role(kind)); }

std::string twin_id(TwinKind kind) { return kind == TwinKind::SourceOnly ? "source_only" : "scratch"; }

ExperimentConfig twin_config(const ExperimentConfig& config) {
  return twin_kind(config) == TwinKind::SourceOnly ? source_only_twin(config) : scratch_twin(config);
}

PreparedExperiment prepare_twin(const PreparedExperiment& transfer) {
  PreparedExperiment p;
  p.config = twin_config(transfer.config);
  static_cast<PreparedModel&>(p) = prepare_model(p.config);
  p.data = transfer.data;
  if (transfer.dann && twin_kind(transfer.config) == TwinKind::SourceOnly) {
    p.dann = transfer.dann;
    p.dann->adversarial = p.config.mitigations.dann_adversarial;
    p.dann_source = transfer.dann_source;
  }
  p.initial_state = cloned_state(*p.model);
  return p;
}

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd s;
  if (values.empty()) return s;
  for (double v : values) s.mean += v / static_cast<double>(values.size());
  if (values.size() < 2) return s;
  double squares = 0.0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return s;
}

Verdict judge_transfer(const std::vector<SeedPair>& pairs, TwinKind baseline) {
  if (pairs.empty()) throw std::invalid_argument("judge_transfer: expected at least one seed");
  const size_t classes = pairs.front().transfer_per_class.size();
  std::vector<double> differences;
  Verdict v;
  v.per_class.assign(classes, 0.0);
  for (const auto& p : pairs) {
    if (p.transfer_per_class.size() != classes || p.baseline_per_class.size() != classes) {
      throw std::invalid_argument("judge_transfer: seed " + std::to_string(p.seed) +
                                  " has per-class accuracies of another length");
    }
    differences.push_back(100.0 * (p.transfer - p.baseline));
    for (size_t c = 0; c < classes; ++c) {
      v.per_class[c] += 100.0 * (p.transfer_per_class[c] - p.baseline_per_class[c]) / pairs.size();
    }
  }
  const MeanStd d = mean_std(differences);
  v.gap = d.mean;
  v.std = d.std;
  v.seeds = static_cast<int64_t>(pairs.size());
  v.baseline = twin_name(baseline);
  v.threshold = std::max(kMinVerdictGapPoints, kNoiseMultiplier * d.std / std::sqrt(static_cast<double>(v.seeds)));
  v.label = verdict_label_for(v.gap, v.threshold, v.seeds);
  return v;
}

nlohmann::json Verdict::to_json() const {
  return {{"label", verdict_label_name(label)}, {"gap", gap}, {"std", std}, {"threshold", threshold}, {"seeds", seeds},
          {"per_class", per_class}, {"baseline", baseline}};
}

std::string Verdict::sentence() const {
  if (label == VerdictLabel::SingleSeed) {
    return verdict_label_title(label) + ", " + signed_fixed(gap) + " points against the " + baseline + " — run " +
           std::to_string(kSuggestedSeeds) + " seeds to tell an effect from noise";
  }
  char spread[32];
  std::snprintf(spread, sizeof spread, "%.1f", std);
  return verdict_label_title(label) + ", " + signed_fixed(gap) + " ± " + spread + " points over " +
         std::to_string(seeds) + " seeds against the " + baseline;
}

nlohmann::json Comparison::sections() const {
  nlohmann::json j = nlohmann::json::object();
  std::vector<double> transfer, baseline;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& s : runs) {
    nlohmann::json row = {{"seed", s.seed}, {"transfer", run_row(s.transfer)}};
    if (finished(s.transfer)) transfer.push_back(s.transfer.test_accuracy);
    if (s.baseline) {
      row["baseline"] = run_row(*s.baseline);
      if (finished(*s.baseline)) baseline.push_back(s.baseline->test_accuracy);
    }
    rows.push_back(row);
  }
  j["transfer"] = accuracy_summary(transfer);
  if (!baseline.empty()) {
    j["baseline"] = accuracy_summary(baseline);
    j["baseline"]["kind"] = twin_id(twin);
  }
  if (verdict) j["verdict"] = verdict->to_json();
  j["per_seed"] = rows;
  return j;
}

Comparison run_comparison(const ExperimentConfig& config, int64_t seeds, bool twin, const TrainFunction& train) {
  if (seeds < 1) throw ConfigError("seeds: expected an integer >= 1, got " + std::to_string(seeds));
  const TrainFunction run = train ? train : TrainFunction(train_in_place);
  Comparison c;
  c.twin = twin_kind(config);
  const int jobs = static_cast<int>(seeds) * (twin ? 2 : 1);
  int index = 0;
  bool all_paired = twin;
  for (int64_t i = 0; i < seeds; ++i) {
    ExperimentConfig seeded = config;
    const uint64_t seed = config.training.seed + static_cast<uint64_t>(i);
    seeded.training.seed = seeded.target.seed = seed;
    const PreparedExperiment transfer = prepare_experiment(seeded);
    const JobIdentity transfer_id{seed, JobRole::Transfer, index++, jobs, static_cast<int>(seeds)};
    SeedRuns s{seed, make_run_record(transfer, run(make_training_job(transfer), transfer_id)), std::nullopt};
    // The job trained transfer.model in place.
    if (i == 0 && finished(s.transfer) && can_export_model(transfer)) {
      c.exported_model = export_model(transfer, *transfer.model, s.transfer);
    }
    if (twin && finished(s.transfer)) {
      const PreparedExperiment baseline = prepare_twin(transfer);
      const JobIdentity twin_id{seed, twin_role(c.twin), index++, jobs, static_cast<int>(seeds)};
      s.baseline = make_run_record(baseline, run(make_training_job(baseline), twin_id));
      if (i == 0 && finished(*s.baseline) && can_export_model(baseline)) {
        c.exported_twin_model = export_model(baseline, *baseline.model, *s.baseline);
      }
    }
    const bool complete = finished(s.transfer) && (!twin || (s.baseline && finished(*s.baseline)));
    all_paired = all_paired && complete;
    c.runs.push_back(std::move(s));
    if (!complete) break;
  }
  if (all_paired) {
    std::vector<SeedPair> pairs;
    for (const auto& s : c.runs) pairs.push_back(pair_of(s));
    c.verdict = judge_transfer(pairs, c.twin);
  }
  return c;
}

}  // namespace tl
