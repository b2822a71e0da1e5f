#include "experiment/model_export.h"

#include "util/atomic_file.h"
#include "experiment/preprocessing.h"
#include "models/layer_tree.h"
#include "util/utc_time.h"

#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

nlohmann::json setting_json(const std::string& path, const LayerSetting& s) {
  return {{"path", path}, {"trainable", s.trainable}, {"lr_multiplier", s.lr_multiplier}};
}

/// The plan as data (its explicit entries) and as it worked out, layer by layer.
nlohmann::json freeze_plan_json(const PreparedExperiment& p, const TransferModelImpl& trained) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [path, setting] : p.plan.entries()) entries.push_back(setting_json(path, setting));
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& info : layer_tree(trained)) {
    if (info.own_parameters == 0) continue;
    nlohmann::json layer = setting_json(info.path, p.plan.setting_for(info.path));
    layer["type"] = info.type;
    layers.push_back(std::move(layer));
  }
  return {{"strategy", strategy_name(p.config.resolved_strategy().strategy)},
          {"entries", entries},
          {"reinitialized", p.plan.reinitialized()},
          {"layers", layers}};
}

nlohmann::json run_json(const PreparedExperiment& p, const RunRecord& record) {
  return {{"name", p.config.name},
          {"finished", utc_now_iso8601()},
          {"status", run_status_name(record.status)},
          {"epochs", record.epochs.size()},
          {"seconds", record.seconds},
          {"val_accuracy", record.val_accuracy},
          {"test_accuracy", record.test_accuracy},
          {"config", record.config}};
}

const std::vector<std::string>& target_class_names(const TaskData& data) {
  return data.test.class_names.empty() ? data.train.class_names : data.test.class_names;
}

}  // namespace

bool can_export_model(const PreparedExperiment& prepared) { return !prepared.config.mitigations.progressive; }

Checkpoint export_model(const PreparedExperiment& p, const TransferModelImpl& trained, const RunRecord& record) {
  if (!can_export_model(p)) {
    throw std::invalid_argument("model export: a progressive network has two columns and no single architecture "
                                "to rebuild; export is available for every other run");
  }
  const auto& classes = target_class_names(p.data);
  if (static_cast<int64_t>(classes.size()) != trained.num_classes()) {
    throw std::invalid_argument("model export: the head has " + std::to_string(trained.num_classes()) +
                                " outputs but the target task names " + std::to_string(classes.size()) + " classes");
  }
  Checkpoint exported;
  CheckpointMetadata& m = exported.metadata;
  m.architecture = trained.architecture();
  m.input = trained.input_shape();
  m.class_names = classes;
  m.source_task = p.config.name;
  m.training_images = p.data.train.size();
  m.source_accuracy = record.test_accuracy;
  m.seed = p.config.training.seed;
  m.created = utc_now_iso8601();
  m.license = p.pretrained ? "Fine-tuned by Transfer Lab from " + p.config.model.pretrained +
                                 "; the weights keep the licence of that model (" + p.pretrained->license + ")"
                           : "Trained from scratch by Transfer Lab.";
  m.normalization_mean = p.data.normalization.mean;
  m.normalization_std = p.data.normalization.std;

  Preprocessing preprocessing = preprocessing_of(m);  // m.extra is still empty: derived from shape and statistics
  m.extra = {{"preprocessing", preprocessing.to_json()},
             {"freeze_plan", freeze_plan_json(p, trained)},
             {"run", run_json(p, record)},
             {"recipe", {{"source", record.config.value("target", nlohmann::json::object())}}}};
  if (p.pretrained) {
    nlohmann::json origin = p.pretrained->to_json();
    origin.erase("extra");
    m.extra["pretrained"] = origin;
  }
  exported.tensors = state_dict(trained);
  return exported;
}

void write_model_export(const Checkpoint& exported, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory (" + ec.message() + ")");
  save_checkpoint(exported, (fs::path(dir) / kExportedWeightsFile).string());
  write_file_atomically((fs::path(dir) / kExportedMetadataFile).string(), exported.metadata.to_json().dump(2) + "\n");
}

}  // namespace tl
