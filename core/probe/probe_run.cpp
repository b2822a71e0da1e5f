#include "probe/probe_run.h"

#include "util/atomic_file.h"
#include "probe/knn_classifier.h"
#include "probe/logistic_regression.h"
#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace fs = std::filesystem;

namespace tl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool wants_logistic(ProbeClassifier c) { return c != ProbeClassifier::Knn; }
bool wants_knn(ProbeClassifier c) { return c != ProbeClassifier::LogisticRegression; }

void report(const ProbeControl& control, int64_t done, int64_t total, const std::string& layer) {
  if (control.on_progress) control.on_progress({done, total, layer});
}

LogisticProbe fit_logistic(const torch::Tensor& train_x, const Dataset& train, const torch::Tensor& test_x,
                           const Dataset& test, int64_t num_classes, double l2) {
  LogisticRegressionOptions options;
  options.l2 = l2;
  const auto model = LogisticRegression::fit(train_x, train.labels, num_classes, options);
  LogisticProbe probe;
  probe.train_accuracy = score_predictions(model.predict(train_x), train.labels, num_classes).accuracy;
  probe.test = score_predictions(model.predict(test_x), test.labels, num_classes);
  probe.loss = model.loss_history().back();
  probe.iterations = model.iterations();
  return probe;
}

KnnProbe fit_knn(const torch::Tensor& train_x, const Dataset& train, const torch::Tensor& test_x,
                 const Dataset& test, int64_t num_classes, int64_t k) {
  const KnnClassifier knn(train_x, train.labels, num_classes, k);
  return {k, score_predictions(knn.predict(test_x), test.labels, num_classes)};
}

// The shape of one image's activations, before pooling (eval mode: a
// BatchNorm in training mode would update its statistics on this image).
std::vector<int64_t> activation_shape(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto one = probe_activations(model, point, images.narrow(0, 0, 1));
  model.train(was_training);
  return one.sizes().slice(1).vec();
}

ProbeRow probe_one(TransferModelImpl& model, const ProbePoint& point, const Dataset& train, const Dataset& test,
                   int64_t num_classes, const ProbeConfig& probe, const ProbeControl& control) {
  const auto start = Clock::now();
  ProbeRow row;
  row.point = point;
  row.activation_shape = activation_shape(model, point, train.images);
  const auto train_x = extract_features(model, point, train.images, probe.max_features, 256, control);
  const auto test_x = extract_features(model, point, test.images, probe.max_features, 256, control);
  row.features = train_x.size(1);
  if (wants_logistic(probe.classifier)) {
    row.logistic_regression = fit_logistic(train_x, train, test_x, test, num_classes, probe.l2);
  }
  if (wants_knn(probe.classifier)) row.knn = fit_knn(train_x, train, test_x, test, num_classes, probe.k);
  row.seconds = seconds_since(start);
  return row;
}

nlohmann::json scores_json(const PredictionScores& s) {
  return {{"test_accuracy", s.accuracy}, {"test_per_class_accuracy", s.per_class_accuracy}};
}

std::string kind_name(ProbePoint::Kind kind) {
  switch (kind) {
    case ProbePoint::Kind::Input: return "input";
    case ProbePoint::Kind::BlockOutput: return "block_output";
    case ProbePoint::Kind::ChainLayer: return "chain_layer";
  }
  return "input";
}

nlohmann::json row_json(const ProbeRow& row) {
  nlohmann::json j = {{"layer", row.point.layer},
                      {"block", row.point.block},
                      {"type", row.point.type},
                      {"kind", kind_name(row.point.kind)},
                      {"activation_shape", row.activation_shape},
                      {"features", row.features},
                      {"seconds", row.seconds}};
  if (const auto& lr = row.logistic_regression) {
    j["logistic_regression"] = scores_json(lr->test);
    j["logistic_regression"]["train_accuracy"] = lr->train_accuracy;
    j["logistic_regression"]["loss"] = lr->loss;
    j["logistic_regression"]["iterations"] = lr->iterations;
  }
  if (const auto& knn = row.knn) {
    j["knn"] = scores_json(knn->test);
    j["knn"]["k"] = knn->k;
  }
  return j;
}

std::string csv_value(const std::optional<double>& v) {
  if (!v) return "";
  std::ostringstream out;
  out << std::setprecision(6) << *v;
  return out.str();
}

std::string probe_csv(const ProbeReport& report) {
  std::ostringstream csv;
  csv << "layer,block,type,features,logistic_regression_train_accuracy,logistic_regression_test_accuracy,"
         "knn_test_accuracy,seconds\n";
  for (const auto& row : report.rows) {
    const auto& lr = row.logistic_regression;
    csv << row.point.layer << ',' << row.point.block << ',' << row.point.type << ',' << row.features << ','
        << csv_value(lr ? std::optional<double>(lr->train_accuracy) : std::nullopt) << ','
        << csv_value(lr ? std::optional<double>(lr->test.accuracy) : std::nullopt) << ','
        << csv_value(row.knn ? std::optional<double>(row.knn->test.accuracy) : std::nullopt) << ','
        << csv_value(row.seconds) << '\n';
  }
  return csv.str();
}

}  // namespace

const PredictionScores& ProbeRow::primary_test() const {
  if (logistic_regression) return logistic_regression->test;
  if (knn) return knn->test;
  throw std::logic_error("probe row " + point.layer + " has no classifier results");
}

torch::Tensor extract_features(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images,
                               int64_t max_features, int64_t batch_size, const ProbeControl& control) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < images.size(0); start += batch_size) {
    if (control.stop && control.stop->load()) {
      model.train(was_training);
      throw ProbeCancelled();
    }
    const auto batch = images.narrow(0, start, std::min(batch_size, images.size(0) - start));
    // contiguous(): a pooled view of the batch must not pin the activations.
    parts.push_back(bounded_features(probe_activations(model, point, batch), max_features).contiguous());
  }
  model.train(was_training);
  if (parts.empty()) return torch::empty({0, 0});
  return torch::cat(parts);
}

std::vector<ProbeRow> probe_layers(TransferModelImpl& model, const std::vector<ProbePoint>& points,
                                   const Dataset& train, const Dataset& test, const ProbeConfig& probe,
                                   const ProbeControl& control) {
  if (wants_knn(probe.classifier) && probe.k > train.size()) {
    throw ConfigError("probe.k: expected at most the " + std::to_string(train.size()) +
                      " training images of the task, got " + std::to_string(probe.k));
  }
  if (train.size() == 0 || test.size() == 0) throw std::invalid_argument("probe: the task has no training or test images");
  const int64_t num_classes = std::max<int64_t>(train.num_classes(), 2);
  std::vector<ProbeRow> rows;
  const auto total = static_cast<int64_t>(points.size());
  for (int64_t i = 0; i < total; ++i) {
    report(control, i, total, points[i].layer);
    rows.push_back(probe_one(model, points[i], train, test, num_classes, probe, control));
  }
  report(control, total, total, "");
  return rows;
}

ProbeReport run_probe(const ExperimentConfig& config, const ProbeControl& control) {
  const auto start = Clock::now();
  if (!config.target.labelled) {
    throw ConfigError("target.labelled: false leaves the probe nothing to fit; its classifiers learn from the "
                      "target's training labels (set labelled to true, with shots_per_class as wanted)");
  }
  ExperimentConfig c = config;
  c.mitigations = MitigationsConfig{};
  // The intra-op thread count is per thread; the GUI calls this on a worker.
  torch::set_num_threads(training_thread_count(c.training.threads));
  // The layer is checked on the model alone, before the data is loaded.
  {
    PreparedModel checked = prepare_model(c);
    if (!c.probe.layer.empty()) resolve_probe_point(*checked.model, c.probe.layer);
  }
  PreparedExperiment prepared = prepare_experiment(c);
  TransferModelImpl& model = *prepared.model;
  const auto points = c.probe.layer.empty() ? profile_points(model)
                                            : std::vector<ProbePoint>{resolve_probe_point(model, c.probe.layer)};
  ProbeReport report;
  report.config = config_to_json(prepared.config);
  report.architecture = model.architecture();
  report.pretrained = c.model.pretrained;
  report.class_names = prepared.data.train.class_names;
  report.train_images = prepared.data.train.size();
  report.test_images = prepared.data.test.size();
  report.rows = probe_layers(model, points, prepared.data.train, prepared.data.test, c.probe, control);
  report.seconds = seconds_since(start);
  return report;
}

const ProbeRow& ProbeReport::best_row() const {
  if (rows.empty()) throw std::logic_error("probe report without rows");
  const ProbeRow* best = &rows.front();
  for (const auto& row : rows) {
    if (row.primary_test().accuracy > best->primary_test().accuracy) best = &row;
  }
  return *best;
}

RunRecord ProbeReport::to_run_record() const {
  RunRecord record;
  record.config = config;
  record.status = RunStatus::Finished;
  record.seconds = seconds;
  const ProbeRow& best = best_row();
  record.message = rows.size() == 1 ? "probe of " + best.point.layer
                                    : "transferability profile over " + std::to_string(rows.size()) + " layers";
  record.test_accuracy = best.primary_test().accuracy;
  record.test_per_class_accuracy = best.primary_test().per_class_accuracy;
  nlohmann::json rows_json = nlohmann::json::array();
  for (const auto& row : rows) rows_json.push_back(row_json(row));
  record.sections["probe"] = {{"architecture", architecture},
                              {"pretrained", pretrained},
                              {"class_names", class_names},
                              {"train_images", train_images},
                              {"test_images", test_images},
                              {"best_layer", best.point.layer},
                              {"rows", rows_json}};
  return record;
}

void write_probe(const ProbeReport& report, const std::string& dir) {
  write_run(report.to_run_record(), dir);
  write_file_atomically((fs::path(dir) / "probe.csv").string(), probe_csv(report));
}

}  // namespace tl
