#include "experiment/experiment_config.h"

#include "experiment/json_fields.h"
#include "transfer/plan_edits.h"
#include "util/bounded_json.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tl {

ConfigError::ConfigError(const std::string& field, const std::string& reason)
    : std::runtime_error(field + ": " + reason), field_(field) {}

ConfigError::ConfigError(const std::string& message) : std::runtime_error(message) {}

ConfigError ConfigError::in_file(const std::string& path) const {
  ConfigError e(path + ": " + what());
  e.field_ = field_;
  return e;
}

namespace {

using nlohmann::json;

constexpr int64_t kMaxClass = 9;  // Fashion-MNIST has classes 0..9

template <typename Enum, typename Parse>
Enum parse_enum(JsonFields& f, const std::string& key, Enum fallback, Parse parse) {
  if (!f.has(key)) {
    f.accept(key);
    return fallback;
  }
  const std::string name = f.string(key, "");
  try {
    return parse(name);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(f.field(key), e.what());
  }
}

DomainShift parse_shift(const json& j, const std::string& path, uint64_t default_seed) {
  JsonFields f(j, path);
  DomainShift shift;
  shift.kind = parse_enum(f, "kind", ShiftKind::None, shift_kind_from_name);
  shift.strength = f.number("strength", shift.kind == ShiftKind::None ? 0.0 : 0.5, 0.0, 1.0);
  shift.seed = static_cast<uint64_t>(f.integer("seed", static_cast<int64_t>(default_seed), 0));
  f.finish();
  return shift;
}

std::vector<std::pair<int64_t, int64_t>> parse_pairs(JsonFields& f, const json& parent, const std::string& key) {
  std::vector<std::pair<int64_t, int64_t>> pairs;
  f.accept(key);
  if (!parent.contains(key)) return pairs;
  const json& list = parent.at(key);
  if (!list.is_array()) f.fail(key, "a list of [a, b] class pairs");
  for (const auto& item : list) {
    if (!item.is_array() || item.size() != 2 || !item[0].is_number_integer() || !item[1].is_number_integer()) {
      f.fail(key, "a list of [a, b] class pairs");
    }
    pairs.emplace_back(item[0].get<int64_t>(), item[1].get<int64_t>());
  }
  return pairs;
}

std::vector<std::vector<int64_t>> parse_groups(JsonFields& f, const json& parent, const std::string& key) {
  std::vector<std::vector<int64_t>> groups;
  f.accept(key);
  if (!parent.contains(key)) return groups;
  const json& list = parent.at(key);
  const std::string expected = "a list of class groups such as [[0, 2], [4, 6]]";
  if (!list.is_array()) f.fail(key, expected);
  for (const auto& item : list) {
    if (!item.is_array() || item.size() < 2) f.fail(key, expected);
    std::vector<int64_t> group;
    for (const auto& c : item) {
      if (!c.is_number_integer()) f.fail(key, expected);
      group.push_back(c.get<int64_t>());
    }
    groups.push_back(group);
  }
  return groups;
}

LabelMismatch parse_mismatch(const json& j, const std::string& path, uint64_t default_seed) {
  JsonFields f(j, path);
  LabelMismatch m;
  m.imbalance = f.number("imbalance", 1.0, 0.001, 1.0);
  m.label_noise = f.number("label_noise", 0.0, 0.0, 0.99);
  m.swaps = parse_pairs(f, j, "swaps");
  m.merges = parse_groups(f, j, "merges");
  m.seed = static_cast<uint64_t>(f.integer("seed", static_cast<int64_t>(default_seed), 0));
  f.finish();
  return m;
}

// An image-folder task: the folder's class folders are the classes, so the
// Fashion-MNIST fields that pick, shift or relabel classes do not apply.
DataConfig parse_folder_data(JsonFields& f, const std::string& path) {
  DataConfig d;
  d.dataset = kImageFolderDataset;
  if (path == "source") {
    throw ConfigError(f.field("dataset"), "image folders are target tasks; the source task is the one the "
                      "pretrained model was trained on");
  }
  d.folder = f.string("folder", "");
  if (d.folder.empty()) {
    throw ConfigError(f.field("folder"), "expected the path of an image folder (<folder>/<class name>/<image>)");
  }
  for (const char* key : {"root", "classes", "shift", "mismatch"}) {
    if (f.has(key)) {
      throw ConfigError(f.field(key), "applies to Fashion-MNIST only; an image folder uses all its class "
                        "folders as they are");
    }
  }
  if (!f.boolean("labelled", true)) {
    throw ConfigError(f.field("labelled"), "an image folder is labelled by its class folders; unlabelled "
                      "targets (for DANN) are Fashion-MNIST only");
  }
  d.shots_per_class = f.integer("shots_per_class", d.shots_per_class, 0);
  d.test_per_class = f.integer("test_per_class", d.test_per_class, 0);
  d.val_fraction = f.number("val_fraction", d.val_fraction, 0.01, 0.9);
  d.seed = static_cast<uint64_t>(f.integer("seed", static_cast<int64_t>(d.seed), 0));
  f.finish();
  return d;
}

DataConfig parse_data(const json& j, const std::string& path) {
  JsonFields f(j, path);
  DataConfig d;
  d.dataset = f.string("dataset", f.has("folder") ? kImageFolderDataset : d.dataset);
  if (d.dataset == kImageFolderDataset) return parse_folder_data(f, path);
  if (d.dataset != "fashion-mnist") {
    f.fail("dataset", "\"fashion-mnist\" or \"image-folder\"");
  }
  if (f.has("folder")) {
    throw ConfigError(f.field("folder"), "needs \"dataset\": \"image-folder\" (or no dataset field)");
  }
  d.root = f.string("root", d.root);
  d.classes = f.integers("classes", 0, kMaxClass);
  if (f.has("classes") && d.classes.size() < 2) f.fail("classes", "at least two classes");
  d.shots_per_class = f.integer("shots_per_class", d.shots_per_class, 0);
  d.labelled = f.boolean("labelled", d.labelled);
  d.test_per_class = f.integer("test_per_class", d.test_per_class, 0);
  d.val_fraction = f.number("val_fraction", d.val_fraction, 0.01, 0.9);
  d.seed = static_cast<uint64_t>(f.integer("seed", static_cast<int64_t>(d.seed), 0));
  d.shift = parse_shift(f.object("shift"), f.field("shift"), d.seed);
  d.mismatch = parse_mismatch(f.object("mismatch"), f.field("mismatch"), d.seed);
  f.finish();
  return d;
}

ModelConfig parse_model(const json& j) {
  JsonFields f(j, "model");
  ModelConfig m;
  m.pretrained = f.string("pretrained", "");
  m.architecture = f.string("architecture", "");
  f.finish();
  return m;
}

LrSchedule parse_lr_schedule(const json& j, const std::string& path) {
  JsonFields f(j, path);
  LrSchedule lr;
  lr.shape = parse_enum(f, "shape", lr.shape, lr_shape_from_name);
  lr.step_epochs = static_cast<int>(f.integer("step_epochs", lr.step_epochs, 1, 10000));
  lr.gamma = f.number("gamma", lr.gamma, 0.0, 1.0);
  if (!(lr.gamma > 0.0)) f.fail("gamma", "a number in (0, 1]");
  lr.warmup_fraction = f.number("warmup_fraction", lr.warmup_fraction, 0.0, 1.0);
  if (!(lr.warmup_fraction > 0.0 && lr.warmup_fraction < 1.0)) f.fail("warmup_fraction", "a number in (0, 1)");
  lr.peak_ratio = f.number("peak_ratio", lr.peak_ratio, 1.0, 1e6);
  f.finish();
  return lr;
}

TrainingSchedule parse_schedule(const json& j, const std::string& path) {
  JsonFields f(j, path);
  TrainingSchedule s;
  s.unfreeze = parse_enum(f, "unfreeze", s.unfreeze, unfreeze_from_name);
  s.unfreeze_every = static_cast<int>(f.integer("unfreeze_every", s.unfreeze_every, 1, 10000));
  s.head_epochs = static_cast<int>(f.integer("head_epochs", s.head_epochs, 1, 10000));
  s.lr_mult = f.number("lr_mult", s.lr_mult, 1.0, 1e6);
  s.layer_decay = f.number("layer_decay", s.layer_decay, 0.0, 1.0);
  if (!(s.layer_decay > 0.0)) f.fail("layer_decay", "a number in (0, 1]");
  // Two-phase spacing already sets each block's rate.
  if (s.unfreeze == UnfreezeKind::TwoPhase && s.layer_decay != 1.0) {
    f.fail("layer_decay", "1 with unfreeze \"two_phase\" (its lr_mult spaces the blocks' rates)");
  }
  s.lr = parse_lr_schedule(f.object("lr"), f.field("lr"));
  f.finish();
  return s;
}

TransferConfig parse_transfer(const json& j) {
  JsonFields f(j, "transfer");
  TransferConfig t;
  t.similarity = parse_enum(f, "similarity", t.similarity, similarity_from_name);
  const StrategyChoice fallback = default_strategy(t.similarity);
  t.strategy = parse_enum(f, "strategy", fallback.strategy, strategy_from_name);
  t.options = fallback.options;
  t.options.top_blocks = static_cast<int>(f.integer("top_blocks", t.options.top_blocks, 1, 64));
  t.options.lower_lr_multiplier = f.number("lower_lr_multiplier", t.options.lower_lr_multiplier, 0.0, 10.0);
  t.options.transferred_blocks =
      static_cast<int>(f.integer("transferred_blocks", t.options.transferred_blocks, 1, 64));
  const json& layers = f.object("layers");
  for (const auto& item : layers.items()) {
    JsonFields lf(item.value(), f.field("layers") + "." + item.key());
    LayerSetting s;
    s.trainable = lf.boolean("trainable", true);
    s.lr_multiplier = lf.number("lr_multiplier", 1.0, 0.0, 100.0);
    lf.finish();
    t.layers[item.key()] = s;
  }
  t.schedule = parse_schedule(f.object("schedule"), f.field("schedule"));
  f.finish();
  return t;
}

TrainingOptions parse_training(const json& j) {
  JsonFields f(j, "training");
  TrainingOptions o;
  o.epochs = static_cast<int>(f.integer("epochs", o.epochs, 1, 10000));
  o.batch_size = f.integer("batch_size", o.batch_size, 1, 65536);
  o.learning_rate = f.number("learning_rate", o.learning_rate, 1e-9, 10.0);
  o.optimizer = parse_enum(f, "optimizer", o.optimizer, optimizer_from_name);
  o.momentum = f.number("momentum", o.momentum, 0.0, 0.999);
  o.weight_decay = f.number("weight_decay", o.weight_decay, 0.0, 1.0);
  o.seed = static_cast<uint64_t>(f.integer("seed", static_cast<int64_t>(o.seed), 0));
  o.threads = static_cast<int>(f.integer("threads", o.threads, 0, kMaxTrainingThreads));
  o.cache_frozen_features = f.boolean("cache_frozen_features", o.cache_frozen_features);
  f.finish();
  return o;
}

MitigationsConfig parse_mitigations(const json& j) {
  JsonFields f(j, "mitigations");
  MitigationsConfig m;
  // L2-SP is on when its section is present; the others say "enabled".
  JsonFields l2sp(f.object("l2sp"), f.field("l2sp"));
  m.l2sp = l2sp.boolean("enabled", f.has("l2sp"));
  m.l2sp_options.alpha = l2sp.number("alpha", m.l2sp_options.alpha, 0.0, 100.0);
  m.l2sp_options.beta = l2sp.number("beta", m.l2sp_options.beta, 0.0, 100.0);
  l2sp.finish();
  JsonFields dann(f.object("dann"), f.field("dann"));
  m.dann = dann.boolean("enabled", false);
  m.dann_domain_weight = dann.number("domain_weight", m.dann_domain_weight, 0.0, 100.0);
  m.dann_adversarial = dann.boolean("adversarial", m.dann_adversarial);
  dann.finish();
  JsonFields multitask(f.object("multitask"), f.field("multitask"));
  m.multitask = multitask.boolean("enabled", false);
  m.multitask_source_weight = multitask.number("source_weight", m.multitask_source_weight, 0.0, 100.0);
  multitask.finish();
  JsonFields progressive(f.object("progressive"), f.field("progressive"));
  m.progressive = progressive.boolean("enabled", false);
  progressive.finish();
  m.source_per_class = f.integer("source_per_class", m.source_per_class, 0);
  f.finish();
  return m;
}

json mitigations_to_json(const MitigationsConfig& m) {
  return {{"l2sp", {{"enabled", m.l2sp}, {"alpha", m.l2sp_options.alpha}, {"beta", m.l2sp_options.beta}}},
          {"dann", {{"enabled", m.dann}, {"domain_weight", m.dann_domain_weight}, {"adversarial", m.dann_adversarial}}},
          {"multitask", {{"enabled", m.multitask}, {"source_weight", m.multitask_source_weight}}},
          {"progressive", {{"enabled", m.progressive}}},
          {"source_per_class", m.source_per_class}};
}

ProbeConfig parse_probe(const json& j) {
  JsonFields f(j, "probe");
  ProbeConfig p;
  p.layer = f.string("layer", p.layer);
  p.classifier = parse_enum(f, "classifier", p.classifier, probe_classifier_from_name);
  p.k = f.integer("k", p.k, 1, 100000);
  p.l2 = f.number("l2", p.l2, 0.0, 1e6);
  p.max_features = f.integer("max_features", p.max_features, 1, 1 << 20);
  f.finish();
  return p;
}

json probe_to_json(const ProbeConfig& p) {
  return {{"layer", p.layer},
          {"classifier", probe_classifier_name(p.classifier)},
          {"k", p.k},
          {"l2", p.l2},
          {"max_features", p.max_features}};
}

json shift_to_json(const DomainShift& s) {
  return {{"kind", shift_kind_name(s.kind)}, {"strength", s.strength}, {"seed", s.seed}};
}

json mismatch_to_json(const LabelMismatch& m) {
  json swaps = json::array();
  for (const auto& [a, b] : m.swaps) swaps.push_back({a, b});
  return {{"imbalance", m.imbalance}, {"label_noise", m.label_noise}, {"swaps", swaps},
          {"merges", m.merges}, {"seed", m.seed}};
}

json data_to_json(const DataConfig& d) {
  if (d.dataset == kImageFolderDataset) {
    return {{"dataset", d.dataset},         {"folder", d.folder},
            {"shots_per_class", d.shots_per_class}, {"test_per_class", d.test_per_class},
            {"val_fraction", d.val_fraction}, {"seed", d.seed}};
  }
  return {{"dataset", d.dataset},
          {"root", d.root},
          {"classes", d.selected_classes()},
          {"shots_per_class", d.shots_per_class},
          {"labelled", d.labelled},
          {"test_per_class", d.test_per_class},
          {"val_fraction", d.val_fraction},
          {"seed", d.seed},
          {"shift", shift_to_json(d.shift)},
          {"mismatch", mismatch_to_json(d.mismatch)}};
}

}  // namespace

std::string probe_classifier_name(ProbeClassifier c) {
  switch (c) {
    case ProbeClassifier::LogisticRegression: return "logistic_regression";
    case ProbeClassifier::Knn: return "knn";
    case ProbeClassifier::Both: return "both";
  }
  return "both";
}

ProbeClassifier probe_classifier_from_name(const std::string& name) {
  for (const auto c : {ProbeClassifier::LogisticRegression, ProbeClassifier::Knn, ProbeClassifier::Both}) {
    if (probe_classifier_name(c) == name) return c;
  }
  throw std::invalid_argument("expected \"logistic_regression\", \"knn\" or \"both\", got \"" + name + "\"");
}

std::vector<int64_t> DataConfig::selected_classes() const {
  if (!classes.empty()) return classes;
  std::vector<int64_t> all;
  for (int64_t c = 0; c <= kMaxClass; ++c) all.push_back(c);
  return all;
}

StrategyChoice ExperimentConfig::resolved_strategy() const {
  return {transfer.strategy, transfer.options};
}

ExperimentConfig config_from_json(const json& j) {
  JsonFields f(j, "");
  ExperimentConfig c;
  c.name = f.string("name", c.name);
  c.description = f.string("description", c.description);
  c.model = parse_model(f.object("model"));
  c.target = parse_data(f.object("target"), "target");
  c.source = parse_data(f.object("source"), "source");
  c.transfer = parse_transfer(f.object("transfer"));
  c.training = parse_training(f.object("training"));
  // The head phase must leave epochs for the rest of the network.
  if (c.transfer.schedule.unfreeze == UnfreezeKind::TwoPhase &&
      c.transfer.schedule.head_epochs >= c.training.epochs) {
    throw ConfigError("transfer.schedule.head_epochs",
                      "expected an integer below training.epochs (" + std::to_string(c.training.epochs) + "), got " +
                          std::to_string(c.transfer.schedule.head_epochs));
  }
  c.mitigations = parse_mitigations(f.object("mitigations"));
  c.probe = parse_probe(f.object("probe"));
  // Keys core does not know (lesson text, expected outcome) travel along.
  static const std::set<std::string> known = {"name",   "description", "model",    "target",
                                               "source", "transfer",    "training", "mitigations",
                                               "probe"};
  for (const auto& item : j.items()) {
    if (!known.count(item.key())) c.extra[item.key()] = item.value();
  }
  return c;
}

json config_to_json(const ExperimentConfig& c) {
  json layers = json::object();
  for (const auto& [path, s] : c.transfer.layers) {
    layers[path] = {{"trainable", s.trainable}, {"lr_multiplier", s.lr_multiplier}};
  }
  const StrategyChoice strategy = c.resolved_strategy();
  json j = {{"name", c.name},
            {"description", c.description},
            {"model", {{"pretrained", c.model.pretrained}, {"architecture", c.model.architecture}}},
            {"source", data_to_json(c.source)},
            {"target", data_to_json(c.target)},
            {"transfer",
             {{"similarity", similarity_name(c.transfer.similarity)},
              {"strategy", strategy_name(strategy.strategy)},
              {"top_blocks", strategy.options.top_blocks},
              {"lower_lr_multiplier", strategy.options.lower_lr_multiplier},
              {"transferred_blocks", strategy.options.transferred_blocks},
              {"layers", layers},
              {"schedule", schedule_to_json(c.transfer.schedule)}}},
            {"training",
             {{"epochs", c.training.epochs},
              {"batch_size", c.training.batch_size},
              {"learning_rate", c.training.learning_rate},
              {"optimizer", optimizer_name(c.training.optimizer)},
              {"momentum", c.training.momentum},
              {"weight_decay", c.training.weight_decay},
              {"seed", c.training.seed},
              {"threads", c.training.threads},
              {"cache_frozen_features", c.training.cache_frozen_features}}},
            {"mitigations", mitigations_to_json(c.mitigations)},
            {"probe", probe_to_json(c.probe)}};
  for (const auto& item : c.extra.items()) j[item.key()] = item.value();
  return j;
}

ExperimentConfig parse_config(const std::string& text, const std::string& path) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ConfigError(path + ": is empty, expected a JSON config");
  }
  json j;
  try {
    j = parse_bounded_json(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(path + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const JsonRejected& e) {
    throw ConfigError(path + ": " + e.what());
  }
  try {
    return config_from_json(j);
  } catch (const ConfigError& e) {
    throw e.in_file(path);
  }
}

ExperimentConfig load_config(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw ConfigError(path + ": is a directory, expected a config file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the config file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the config file");
  return parse_config(text.str(), path);
}

FreezePlan freeze_plan_for(const ExperimentConfig& config, const TransferModelImpl& model) {
  FreezePlan plan;
  try {
    plan = freeze_plan_for(config.resolved_strategy(), config.transfer.layers, model);
  } catch (const PlanError& e) {
    throw ConfigError(e.field(), e.reason());
  }
  // The pretrained column of a progressive network never trains.
  if (config.mitigations.progressive) plan.set("source", {false, 1.0});
  return plan;
}

}  // namespace tl
