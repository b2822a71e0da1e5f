#pragma once

// Run folders as a finished run leaves them, made without training: the
// analysis and its views read models and records, and do not care how good
// a model is. For tests of core/analysis and of the window's Analysis view.

#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/model_export.h"
#include "experiment/run_record.h"
#include "experiment/run_resume.h"

#include <nlohmann/json.hpp>

#include <string>

namespace tl::test {

/// Five Fashion-MNIST target classes with 4 labels and 12 test images each,
/// one epoch: from the built-in checkpoint small_cnn-fmnist0-4, or, with
/// `pretrained` false, an untrained small_cnn (no checkpoint needed).
inline ExperimentConfig small_run_config(const std::string& name, bool pretrained = true) {
  ExperimentConfig c;
  c.name = name;
  if (pretrained) {
    c.model.pretrained = "small_cnn-fmnist0-4";
  } else {
    c.model.architecture = "small_cnn";
  }
  c.target.classes = {5, 6, 7, 8, 9};
  c.target.shots_per_class = 4;
  c.target.test_per_class = 12;
  c.target.val_fraction = 0.02;
  c.training.epochs = 1;
  return c;
}

/// Leaves in `dir` the record and model export of a finished job, for the
/// prepared (untrained) model, with `sections` added to its run.json.
inline RunRecord write_finished_job(const PreparedExperiment& p, const std::string& dir,
                                    const nlohmann::json& sections = nlohmann::json::object()) {
  TrainingOutcome outcome;
  outcome.model = p.model;
  RunRecord record = make_run_record(p, outcome);
  record.sections = sections;
  write_run(record, dir);
  write_model_export(export_model(p, *p.model, record), dir);
  return record;
}

/// A finished single run of `config` in `dir`: config.json, run.json, model.
inline void write_finished_run(const ExperimentConfig& config, const std::string& dir) {
  write_run_config(config, dir);
  write_finished_job(prepare_experiment(config), dir);
}

/// A finished comparison of `config` in `dir`: the transfer run as above and
/// its scratch twin, model exported, in dir/twin.
inline void write_finished_comparison(const ExperimentConfig& config, const std::string& dir) {
  const PreparedExperiment transfer = prepare_experiment(config);
  write_run_config(config, dir);
  write_finished_job(transfer, dir);
  write_finished_job(prepare_twin(transfer), dir + "/twin");
}

}  // namespace tl::test
