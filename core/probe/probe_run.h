#pragma once

#include "data/dataset.h"
#include "experiment/experiment.h"
#include "experiment/run_record.h"
#include "experiment/experiment_config.h"
#include "probe/prediction_scores.h"
#include "probe/probe_point.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl {

/// Logistic regression on one layer's features.
struct LogisticProbe {
  double train_accuracy = 0.0;
  PredictionScores test;
  double loss = 0.0;  ///< the fitted objective (cross-entropy + penalty) on the training set
  int64_t iterations = 0;
};

/// k-nearest neighbours on one layer's features. No training accuracy: every
/// training image is its own nearest neighbour, so it would say little.
struct KnnProbe {
  int64_t k = 0;
  PredictionScores test;
};

/// One layer of a probe: what was read and how well classic models read it.
struct ProbeRow {
  ProbePoint point;
  std::vector<int64_t> activation_shape;  ///< of one image, before pooling ([C, H, W] or [D])
  int64_t features = 0;                   ///< after bounded_features
  std::optional<LogisticProbe> logistic_regression;
  std::optional<KnnProbe> knn;
  double seconds = 0.0;

  /// The test scores of the config's first classifier (logistic regression
  /// when it ran, else kNN).
  const PredictionScores& primary_test() const;
};

struct ProbeProgress {
  int64_t done = 0;   ///< layers finished
  int64_t total = 0;
  std::string layer;  ///< the layer being probed next, "" when all are done
};

/// How a caller follows and stops a probe (the GUI runs it on a worker thread).
struct ProbeControl {
  std::function<void(const ProbeProgress&)> on_progress;  ///< called on the probing thread
  const std::atomic<bool>* stop = nullptr;                ///< checked once per batch
};

/// Thrown when ProbeControl::stop was set.
class ProbeCancelled : public std::runtime_error {
 public:
  ProbeCancelled() : std::runtime_error("probe cancelled") {}
};

/// Flat bounded features [N, D] of `images` at `point`: eval mode, no grad,
/// in batches of `batch_size`.
torch::Tensor extract_features(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images,
                               int64_t max_features, int64_t batch_size = 256, const ProbeControl& control = {});

/// Fits the probe's classifiers on each point's features of `train` and scores
/// them on `test`. Throws ConfigError("probe.k: ...") when k exceeds the
/// training images.
std::vector<ProbeRow> probe_layers(TransferModelImpl& model, const std::vector<ProbePoint>& points,
                                   const Dataset& train, const Dataset& test, const ProbeConfig& probe,
                                   const ProbeControl& control = {});

/// A finished probe, as run.json records it.
struct ProbeReport {
  nlohmann::json config;  ///< the resolved config that ran
  std::string architecture;
  std::string pretrained;  ///< checkpoint name or file; "" for random weights
  std::vector<std::string> class_names;
  int64_t train_images = 0;
  int64_t test_images = 0;
  std::vector<ProbeRow> rows;
  double seconds = 0.0;

  /// The row with the best primary test accuracy (the first of equals).
  const ProbeRow& best_row() const;
  /// A run record like any other run's: `final` holds the best row's test
  /// accuracy and per-class accuracy, the "probe" section every row.
  RunRecord to_run_record() const;
};

/// Probes config.probe.layer ("" = every block and the input: the per-layer
/// transferability profile) of the config's model with its target task (same
/// data, shift, shots and normalisation as `run`), the train split for
/// fitting and the test split for scoring. The model is read as loaded:
/// mitigations shape training and are not applied. Throws ConfigError naming
/// the field (probe.layer lists the layers that can be probed).
ProbeReport run_probe(const ExperimentConfig& config, const ProbeControl& control = {});

/// Writes DIR/run.json (write_run) and DIR/probe.csv, one line per layer.
void write_probe(const ProbeReport& report, const std::string& dir);

}  // namespace tl
