#include "experiment/run_record.h"

#include "models/layer_tree.h"
#include "util/atomic_file.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace fs = std::filesystem;

namespace tl {

std::vector<LayerRecord> layer_drift(const TransferModelImpl& model,
                                     const std::map<std::string, torch::Tensor>& before) {
  std::vector<LayerRecord> layers;
  torch::NoGradGuard no_grad;
  for (const auto& info : layer_tree(model)) {
    if (info.own_parameters == 0) continue;
    LayerRecord r{info.path, info.type, info.own_parameters, info.trainable_parameters == info.subtree_parameters, 0.0};
    double squared = 0.0;
    auto modules = model.named_modules("", /*include_self=*/false);
    for (const auto& p : modules[info.path]->named_parameters(/*recurse=*/false)) {
      const auto it = before.find(info.path + "." + p.key());
      if (it == before.end() || !it->second.sizes().equals(p.value().sizes())) continue;
      squared += (p.value() - it->second).pow(2).sum().item<double>();
    }
    r.drift = std::sqrt(squared);
    layers.push_back(r);
  }
  return layers;
}

RunRecord make_run_record(const PreparedExperiment& p, const TrainingOutcome& outcome) {
  RunRecord r;
  r.config = config_to_json(p.config);
  r.epochs = outcome.epochs;
  r.status = outcome.status;
  r.message = outcome.message;
  r.seconds = outcome.seconds;
  if (!outcome.epochs.empty()) r.val_accuracy = outcome.epochs.back().val_accuracy;
  if (outcome.model && outcome.status == RunStatus::Finished) {
    const Evaluation test = evaluate(*outcome.model.ptr(), p.data.test);
    r.test_accuracy = test.accuracy;
    r.test_per_class_accuracy = test.per_class_accuracy;
  }
  if (outcome.model) r.layers = layer_drift(*outcome.model, p.initial_state);
  if (p.data.folder_report) r.sections["data_report"] = p.data.folder_report->to_json();
  // What a reader needs to repeat the run's numbers exactly (the config's
  // training.threads may say 0, every core of whatever machine runs it).
  if (outcome.threads > 0) {
    r.sections["compute"] = {{"threads", outcome.threads},
                             {"weight_memory_format", outcome.channels_last ? "channels_last" : "nchw"}};
  }
  return r;
}

nlohmann::json RunRecord::test_accuracy_json() const {
  return status == RunStatus::Finished ? nlohmann::json(test_accuracy) : nlohmann::json();
}

nlohmann::json RunRecord::test_per_class_accuracy_json() const {
  return status == RunStatus::Finished ? nlohmann::json(test_per_class_accuracy) : nlohmann::json();
}

nlohmann::json RunRecord::to_json() const {
  nlohmann::json epochs_json = nlohmann::json::array();
  for (const auto& e : epochs) epochs_json.push_back(epoch_event_to_json(e));
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& l : layers) {
    layers_json.push_back(
        {{"path", l.path}, {"type", l.type}, {"params", l.params}, {"trainable", l.trainable}, {"drift", l.drift}});
  }
  nlohmann::json j = {{"config", config},
                       {"status", run_status_name(status)},
                       {"message", message},
                       {"seconds", seconds},
                       {"epochs", epochs_json},
                       {"final", {{"val_accuracy", val_accuracy}, {"test_accuracy", test_accuracy_json()},
                                  {"test_per_class_accuracy", test_per_class_accuracy_json()}}},
                       {"layers", layers_json}};
  for (const auto& item : sections.items()) j[item.key()] = item.value();
  return j;
}

void write_run(const RunRecord& record, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory (" + ec.message() + ")");
  std::ostringstream csv;
  csv << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n";
  csv << std::setprecision(8);
  for (const auto& e : record.epochs) {
    csv << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.val_loss << ',' << e.val_accuracy
        << ',' << e.seconds << '\n';
  }
  write_file_atomically((fs::path(dir) / "metrics.csv").string(), csv.str());
  write_file_atomically((fs::path(dir) / "run.json").string(), record.to_json().dump(2) + "\n");
}

}  // namespace tl
