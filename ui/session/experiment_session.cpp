#include "session/experiment_session.h"

#include "session/session_config.h"

#include "data/idx_reader.h"
#include "util/atomic_file.h"
#include "experiment/presets.h"
#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "weights/pretrained_catalog.h"
#include "util/bounded_json.h"

#include <QFileInfo>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>

namespace tl {

struct ExperimentSession::Impl {
  ExperimentConfig config;
  PreparedModel prepared;
  std::vector<LayerInfo> tree;  ///< of prepared.model, refreshed after every plan change
  std::optional<ExpectedOutcome> expected;  ///< of the preset file last loaded
};

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

bool isArchitectureName(const std::string& name) {
  const auto names = architecture_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool isCheckpoint(const std::string& nameOrPath) {
  for (const auto& m : builtin_models()) {
    if (m.name == nameOrPath) return true;
  }
  return QFileInfo(qs(nameOrPath)).isFile();
}

// The same plan core's prepare_model builds: the strategy, then the layer
// edits in path order (a parent's edit comes before its children's).
FreezePlan planFor(const ExperimentConfig& config, const TransferModelImpl& model) {
  const StrategyChoice choice = config.resolved_strategy();
  FreezePlan plan = make_plan(choice.strategy, model, choice.options);
  const auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& [path, setting] : config.transfer.layers) {
    if (!path.empty() && !modules.contains(path)) {
      throw ConfigError("transfer.layers." + path + ": no such layer in " + model.architecture());
    }
    plan.set(path, setting);
  }
  // As prepare_model: a progressive network's pretrained column never trains.
  if (config.mitigations.progressive) plan.set("source", LayerSetting{false, 1.0});
  return plan;
}

// Builds the model with a strategy valid for any architecture first, so
// `top_blocks` can be fitted to the new model's block count before planning.
PreparedModel prepareWithPlan(ExperimentConfig& config, bool clampTopBlocks) {
  ExperimentConfig safe = config;
  safe.transfer = TransferConfig{};
  safe.transfer.strategy_set = true;
  safe.transfer.strategy = Strategy::FullFineTuning;
  PreparedModel prepared = prepare_model(safe);
  if (clampTopBlocks) {
    const int blocks = static_cast<int>(prepared.model->num_blocks());
    auto& options = config.transfer.options;
    options.top_blocks = std::clamp(options.top_blocks, 1, blocks);
    options.transferred_blocks = std::clamp(options.transferred_blocks, 1, blocks);
  }
  prepared.plan = planFor(config, *prepared.model);
  prepared.plan.apply(*prepared.model);
  return prepared;
}

QString formatShapes(const std::vector<std::vector<int64_t>>& shapes) {
  QStringList parts;
  for (const auto& shape : shapes) {
    QStringList dims;
    for (int64_t d : shape) dims << QString::number(d);
    parts << dims.join(QStringLiteral("×"));
  }
  return parts.join(QStringLiteral(" · "));
}

// Effective settings of every module with parameters: two plans that agree
// here train identically, however their entries are written.
bool samePlanForLayers(const FreezePlan& a, const FreezePlan& b, const std::vector<LayerInfo>& tree) {
  for (const auto& info : tree) {
    if (info.own_parameters > 0 && !(a.setting_for(info.path) == b.setting_for(info.path))) return false;
  }
  return true;
}

ExperimentConfig fallbackConfig() {
  ExperimentConfig config;
  config.name = "untrained small_cnn";
  config.model.architecture = "small_cnn";
  config.target.classes = {5, 6, 7, 8, 9};
  config.target.shots_per_class = 20;
  config.target.test_per_class = 500;
  return config;
}

// default.json with its measured outcome. A malformed lesson section must not
// cost the app its default task, so then the config alone; else the fallback.
ExperimentConfig startingConfig(std::optional<ExpectedOutcome>& expected) {
  const std::string path = resource_dir() + "/presets/default.json";
  try {
    Preset preset = load_preset(path);
    expected = std::move(preset.expected);
    return std::move(preset.config);
  } catch (const std::exception&) {
  }
  try {
    return load_config(path);
  } catch (const std::exception&) {
    return fallbackConfig();
  }
}

// Index just past the last descendant of tree[index] in pre-order.
size_t subtreeEnd(const std::vector<LayerInfo>& tree, size_t index) {
  size_t end = index + 1;
  while (end < tree.size() && tree[end].depth > tree[index].depth) ++end;
  return end;
}

// The largest subtrees lying wholly inside [first, last) of the pre-order list.
std::vector<std::string> maximalSubtrees(const std::vector<LayerInfo>& tree, size_t first, size_t last) {
  std::vector<std::string> roots;
  for (size_t i = first; i < last;) {
    size_t end = subtreeEnd(tree, i);
    if (end <= last) {
      roots.push_back(tree[i].path);
      i = end;
    } else {
      ++i;  // straddles the boundary: descend
    }
  }
  return roots;
}

}  // namespace

ExperimentSession::ExperimentSession(QObject* parent) : QObject(parent), impl_(std::make_unique<Impl>()) {
  ExperimentConfig config = startingConfig(impl_->expected);
  if (!config.model.pretrained.empty() && !isCheckpoint(config.model.pretrained)) {
    // The preset's checkpoint is not built yet: same task, untrained model.
    config.model.pretrained.clear();
    config.model.architecture = "small_cnn";
  }
  try {
    impl_->prepared = prepareWithPlan(config, /*clampTopBlocks=*/true);
  } catch (const std::exception&) {
    config = fallbackConfig();
    impl_->expected.reset();  // measured for default.json, not for the fallback
    impl_->prepared = prepareWithPlan(config, true);
  }
  impl_->config = config;
  impl_->tree = layer_tree(*impl_->prepared.model, impl_->prepared.architecture);
}

ExperimentSession::~ExperimentSession() = default;

void ExperimentSession::fail(const QString& message, QString* error) {
  if (error) *error = message;
  Q_EMIT errorOccurred(message);
}

// ---------------------------------------------------------------- config

bool ExperimentSession::adopt(Impl& impl, ExperimentConfig next, bool clampTopBlocks, std::string* error) {
  try {
    PreparedModel prepared = prepareWithPlan(next, clampTopBlocks);
    impl.tree = layer_tree(*prepared.model, prepared.architecture);
    impl.prepared = std::move(prepared);
    impl.config = std::move(next);
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}

bool ExperimentSession::loadConfigFile(const QString& path, QString* error) {
  try {
    // load_preset, not load_config: it also checks the lesson and the
    // "expected" section, which the lesson panel shows.
    const Preset preset = load_preset(path.toStdString());
    return loadConfig(preset.config, preset.expected ? &*preset.expected : nullptr, error);
  } catch (const std::exception& e) {
    fail(qs(e.what()), error);
    return false;
  }
}

bool ExperimentSession::setConfigJson(const QString& jsonText, QString* error) {
  try {
    return loadConfig(config_from_json(parse_bounded_json(jsonText.toStdString())), nullptr, error);
  } catch (const nlohmann::json::parse_error& e) {
    fail(QStringLiteral("not valid JSON (byte %1)").arg(e.byte), error);
  } catch (const std::exception& e) {
    fail(qs(e.what()), error);
  }
  return false;
}

bool ExperimentSession::replaceConfig(const ExperimentConfig& next, bool clampTopBlocks, QString* error,
                                      const QString& context) {
  std::string message;
  if (!adopt(*impl_, next, clampTopBlocks, &message)) {
    fail(context.isEmpty() ? qs(message) : context + QStringLiteral(": ") + qs(message), error);
    return false;
  }
  Q_EMIT modelChanged();
  Q_EMIT planChanged();
  Q_EMIT configChanged();
  return true;
}

bool ExperimentSession::loadConfig(const ExperimentConfig& next, const ExpectedOutcome* expected, QString* error) {
  // Set before replaceConfig's signals, so their slots already see the new
  // lesson; put back if the config does not prepare.
  std::optional<ExpectedOutcome> previous = std::move(impl_->expected);
  impl_->expected = expected ? std::optional<ExpectedOutcome>(*expected) : std::nullopt;
  if (!replaceConfig(next, /*clampTopBlocks=*/false, error)) {
    impl_->expected = std::move(previous);
    return false;
  }
  Q_EMIT configLoaded();
  return true;
}

QString ExperimentSession::configJson() const { return qs(config_to_json(impl_->config).dump(2)); }

bool ExperimentSession::saveConfigFile(const QString& path, QString* error) const {
  try {
    write_file_atomically(path.toStdString(), configJson().toStdString() + "\n");
    return true;
  } catch (const std::exception& e) {
    if (error) *error = qs(e.what());
    return false;
  }
}

QString ExperimentSession::experimentName() const { return qs(impl_->config.name); }

QString ExperimentSession::lessonText() const {
  const auto& extra = impl_->config.extra;
  return extra.contains("lesson") && extra["lesson"].is_string() ? qs(extra["lesson"].get<std::string>()) : QString();
}

LessonInfo ExperimentSession::lesson() const {
  LessonInfo info;
  info.name = experimentName();
  info.text = lessonText();
  if (const auto& e = impl_->expected) {
    info.measured = qs(e->sentence());
    info.secondsPerSeed = e->seconds_per_seed;
  }
  return info;
}

// ---------------------------------------------------------------- model

bool ExperimentSession::setModel(const QString& builtinNameOrPath, QString* error) {
  const std::string id = builtinNameOrPath.toStdString();
  ExperimentConfig next = impl_->config;
  next.transfer.layers.clear();  // edits name the old model's layers
  if (isArchitectureName(id) && !isCheckpoint(id)) {
    next.model = ModelConfig{"", id};
  } else {
    next.model = ModelConfig{id, ""};
  }
  return replaceConfig(next, /*clampTopBlocks=*/true, error,
                       QStringLiteral("Cannot load model '%1'").arg(builtinNameOrPath));
}

QString ExperimentSession::modelId() const {
  const auto& m = impl_->config.model;
  return qs(m.pretrained.empty() ? m.architecture : m.pretrained);
}

ModelInfo ExperimentSession::modelInfo() const {
  const auto& model = *impl_->prepared.model;
  ModelInfo info;
  info.name = modelId();
  info.architecture = qs(impl_->prepared.architecture);
  info.parameters = count_parameters(model);
  info.flopsPerImage = model.flops_per_image();
  const InputShape in = model.input_shape();
  info.inputSize = QStringLiteral("%1×%2×%3").arg(in.channels).arg(in.height).arg(in.width);
  if (const auto& meta = impl_->prepared.pretrained) {
    info.pretrained = true;
    info.sourceTask = qs(meta->source_task);
    for (const auto& c : meta->class_names) info.sourceClasses << qs(c);
    info.trainingImages = meta->training_images;
    info.sourceAccuracy = meta->source_accuracy;
    info.licence = qs(meta->license);
    info.created = qs(meta->created);
  } else {
    info.name = QStringLiteral("untrained %1").arg(info.architecture);
    info.sourceTask = QStringLiteral("none (random initial weights)");
  }
  return info;
}

QVector<ModelChoice> ExperimentSession::availableModels() {
  QVector<ModelChoice> choices;
  for (const auto& m : builtin_models()) choices.push_back({qs(m.name), qs(m.name)});
  for (const auto& arch : architecture_names()) {
    choices.push_back({qs(arch), QStringLiteral("%1 (untrained)").arg(qs(arch))});
  }
  return choices;
}

// ---------------------------------------------------------------- layers

namespace {

// The new head and whatever the strategy re-initialises start from random weights.
bool startsFromRandomWeights(const PreparedModel& prepared, const std::string& path) {
  if (path.empty()) return false;
  if (is_path_prefix(prepared.model->head_path(), path)) return true;
  const auto& reinit = prepared.plan.reinitialized();
  return std::any_of(reinit.begin(), reinit.end(), [&](const std::string& r) { return is_path_prefix(r, path); });
}

}  // namespace

QVector<LayerRow> ExperimentSession::layers() const {
  QVector<LayerRow> rows;
  rows.reserve(static_cast<int>(impl_->tree.size()));
  for (const auto& info : impl_->tree) {
    LayerRow row;
    row.path = qs(info.path);
    row.name = qs(info.name);
    row.type = qs(info.type);
    row.shapes = formatShapes(info.parameter_shapes);
    row.depth = info.depth;
    row.parent = info.parent;
    row.ownParams = info.own_parameters;
    row.subtreeParams = info.subtree_parameters;
    row.trainableParams = info.trainable_parameters;
    row.lrMultiplier = impl_->prepared.plan.setting_for(info.path).lr_multiplier;
    row.newWeights = startsFromRandomWeights(impl_->prepared, info.path);
    rows.push_back(row);
  }
  return rows;
}

bool ExperimentSession::layerTrainable(const QString& path) const {
  return impl_->prepared.plan.setting_for(path.toStdString()).trainable;
}

double ExperimentSession::layerLrMultiplier(const QString& path) const {
  return impl_->prepared.plan.setting_for(path.toStdString()).lr_multiplier;
}

namespace {

// Records "this subtree trains / is frozen" as config edits. Every plan entry
// inside the subtree is written too, so LR multipliers survive the toggle.
void editSubtreeTrainable(ExperimentConfig& config, const FreezePlan& plan, const std::string& path, bool trainable) {
  auto& layers = config.transfer.layers;
  layers[path] = LayerSetting{trainable, plan.setting_for(path).lr_multiplier};
  for (const auto& [entry, setting] : plan.entries()) {
    if (entry != path && is_path_prefix(path, entry)) layers[entry] = LayerSetting{trainable, setting.lr_multiplier};
  }
}

}  // namespace

void ExperimentSession::setTrainable(const QStringList& paths, bool trainable) {
  for (const QString& path : paths) {
    editSubtreeTrainable(impl_->config, impl_->prepared.plan, path.toStdString(), trainable);
  }
  planEdited();
}

void ExperimentSession::setLrMultiplier(const QString& path, double multiplier) {
  const std::string p = path.toStdString();
  const bool trainable = impl_->prepared.plan.setting_for(p).trainable;
  impl_->config.transfer.layers[p] = LayerSetting{trainable, std::clamp(multiplier, 0.0, 100.0)};
  planEdited();
}

void ExperimentSession::freezeUpTo(const QString& path) {
  const auto& tree = impl_->tree;
  const auto it = std::find_if(tree.begin(), tree.end(), [&](const LayerInfo& l) { return qs(l.path) == path; });
  if (it == tree.end()) return;
  const size_t boundary = subtreeEnd(tree, static_cast<size_t>(it - tree.begin()));
  const FreezePlan before = impl_->prepared.plan;
  for (const auto& p : maximalSubtrees(tree, 0, boundary)) editSubtreeTrainable(impl_->config, before, p, false);
  for (const auto& p : maximalSubtrees(tree, boundary, tree.size())) editSubtreeTrainable(impl_->config, before, p, true);
  planEdited();
}

void ExperimentSession::unfreezeFrom(const QString& path) {
  const auto& tree = impl_->tree;
  const auto it = std::find_if(tree.begin(), tree.end(), [&](const LayerInfo& l) { return qs(l.path) == path; });
  if (it == tree.end()) return;
  const size_t first = static_cast<size_t>(it - tree.begin());
  const FreezePlan before = impl_->prepared.plan;
  for (const auto& p : maximalSubtrees(tree, 0, first)) editSubtreeTrainable(impl_->config, before, p, false);
  for (const auto& p : maximalSubtrees(tree, first, tree.size())) editSubtreeTrainable(impl_->config, before, p, true);
  planEdited();
}

// Re-plans from the config after a layer edit. Edits that bring the plan back
// to the strategy's own are dropped, so the strategy is no longer "custom".
void ExperimentSession::planEdited() {
  auto& impl = *impl_;
  const StrategyChoice choice = impl.config.resolved_strategy();
  const FreezePlan strategyPlan = make_plan(choice.strategy, *impl.prepared.model, choice.options);
  impl.prepared.plan = planFor(impl.config, *impl.prepared.model);
  if (samePlanForLayers(impl.prepared.plan, strategyPlan, impl.tree)) {
    impl.config.transfer.layers.clear();
    impl.prepared.plan = strategyPlan;
  }
  impl.prepared.plan.apply(*impl.prepared.model);
  impl.tree = layer_tree(*impl.prepared.model, impl.prepared.architecture);
  Q_EMIT planChanged();
  Q_EMIT configChanged();
}

qint64 ExperimentSession::trainableParameters() const { return impl_->tree.front().trainable_parameters; }
qint64 ExperimentSession::totalParameters() const { return impl_->tree.front().subtree_parameters; }

// ---------------------------------------------------------------- strategy

QStringList ExperimentSession::similarityNames() const {
  QStringList names;
  for (Similarity s : all_similarities()) names << qs(similarity_name(s));
  return names;
}

QString ExperimentSession::similarity() const { return qs(similarity_name(impl_->config.transfer.similarity)); }

void ExperimentSession::setSimilarity(const QString& name) {
  try {
    const Similarity s = similarity_from_name(name.toStdString());
    const StrategyChoice choice = default_strategy(s);
    impl_->config.transfer.similarity = s;
    setStrategy(qs(strategy_name(choice.strategy)), choice.options.top_blocks, choice.options.lower_lr_multiplier);
  } catch (const std::exception& e) {
    fail(qs(e.what()), nullptr);
  }
}

QStringList ExperimentSession::strategyNames() const {
  QStringList names;
  for (Strategy s : all_strategies()) names << qs(strategy_name(s));
  return names;
}

QString ExperimentSession::strategyTitle(const QString& strategyName) {
  try {
    return qs(strategy_title(strategy_from_name(strategyName.toStdString())));
  } catch (const std::exception&) {
    return strategyName;
  }
}

QString ExperimentSession::strategyExplanation(const QString& strategyName) {
  try {
    return qs(strategy_explanation(strategy_from_name(strategyName.toStdString())));
  } catch (const std::exception&) {
    return {};
  }
}

QString ExperimentSession::similarityExplanation(const QString& similarityName) {
  try {
    return qs(similarity_explanation(similarity_from_name(similarityName.toStdString())));
  } catch (const std::exception&) {
    return {};
  }
}

bool ExperimentSession::setStrategy(const QString& strategyName, int blocks, double lowerLrMultiplier) {
  Strategy strategy;
  try {
    strategy = strategy_from_name(strategyName.toStdString());
  } catch (const std::exception& e) {
    fail(qs(e.what()), nullptr);
    return false;
  }
  auto& transfer = impl_->config.transfer;
  transfer.strategy_set = true;
  transfer.strategy = strategy;
  const int n = std::clamp(blocks, 1, std::max(1, blockCount()));
  (strategy == Strategy::SelectiveTransfer ? transfer.options.transferred_blocks : transfer.options.top_blocks) = n;
  transfer.options.lower_lr_multiplier = std::clamp(lowerLrMultiplier, 0.0, 10.0);
  transfer.layers.clear();
  planEdited();
  return true;
}

QString ExperimentSession::strategyName() const { return qs(strategy_name(impl_->config.resolved_strategy().strategy)); }
int ExperimentSession::topBlocks() const { return impl_->config.resolved_strategy().options.top_blocks; }
int ExperimentSession::transferredBlocks() const {
  return impl_->config.resolved_strategy().options.transferred_blocks;
}
int ExperimentSession::strategyBlocks() const {
  return impl_->config.resolved_strategy().strategy == Strategy::SelectiveTransfer ? transferredBlocks() : topBlocks();
}
bool ExperimentSession::strategyUsesBlocks(const QString& strategyName) {
  static const QStringList withBlocks = {QStringLiteral("partial_fine_tuning"), QStringLiteral("layer_replacement"),
                                         QStringLiteral("selective_transfer")};
  return withBlocks.contains(strategyName);
}
bool ExperimentSession::strategyUsesLowerLr(const QString& strategyName) {
  return strategyName == QLatin1String("partial_fine_tuning") || strategyName == QLatin1String("selective_transfer");
}
double ExperimentSession::lowerLrMultiplier() const {
  return impl_->config.resolved_strategy().options.lower_lr_multiplier;
}
bool ExperimentSession::isCustom() const { return !impl_->config.transfer.layers.empty(); }
int ExperimentSession::blockCount() const { return static_cast<int>(impl_->prepared.model->num_blocks()); }

QStringList ExperimentSession::blockNames() const {
  QStringList names;
  for (const auto& block : impl_->prepared.model->blocks()) names << qs(block.name);
  return names;
}

// ---------------------------------------------------------------- training options

int ExperimentSession::epochs() const { return impl_->config.training.epochs; }
void ExperimentSession::setEpochs(int epochs) {
  impl_->config.training.epochs = std::max(1, epochs);
  Q_EMIT configChanged();
}

int ExperimentSession::batchSize() const { return static_cast<int>(impl_->config.training.batch_size); }
void ExperimentSession::setBatchSize(int batchSize) {
  impl_->config.training.batch_size = std::max(1, batchSize);
  Q_EMIT configChanged();
}

double ExperimentSession::learningRate() const { return impl_->config.training.learning_rate; }
void ExperimentSession::setLearningRate(double rate) {
  if (!(rate > 0.0)) return fail(QStringLiteral("learning rate: expected a number > 0"), nullptr);
  impl_->config.training.learning_rate = rate;
  Q_EMIT configChanged();
}

QString ExperimentSession::optimizer() const { return qs(optimizer_name(impl_->config.training.optimizer)); }
void ExperimentSession::setOptimizer(const QString& name) {
  try {
    impl_->config.training.optimizer = optimizer_from_name(name.toStdString());
    Q_EMIT configChanged();
  } catch (const std::exception& e) {
    fail(qs(e.what()), nullptr);
  }
}

qint64 ExperimentSession::seed() const { return static_cast<qint64>(impl_->config.training.seed); }
void ExperimentSession::setSeed(qint64 seed) {
  impl_->config.training.seed = static_cast<uint64_t>(std::max<qint64>(0, seed));
  Q_EMIT configChanged();
}

// ---------------------------------------------------------------- mitigations

MitigationSettings ExperimentSession::mitigations() const {
  const MitigationsConfig& m = impl_->config.mitigations;
  MitigationSettings s;
  s.l2sp = m.l2sp;
  s.l2spAlpha = m.l2sp_options.alpha;
  s.l2spBeta = m.l2sp_options.beta;
  s.dann = m.dann;
  s.dannDomainWeight = m.dann_domain_weight;
  s.multitask = m.multitask;
  s.multitaskSourceWeight = m.multitask_source_weight;
  s.progressive = m.progressive;
  s.sourcePerClass = static_cast<int>(std::min<int64_t>(m.source_per_class, std::numeric_limits<int>::max()));
  return s;
}

bool ExperimentSession::setMitigations(const MitigationSettings& s, QString* error) {
  const auto weight = [](double w) { return std::clamp(w, 0.0, 100.0); };
  ExperimentConfig next = impl_->config;
  MitigationsConfig& m = next.mitigations;
  m.l2sp = s.l2sp;
  m.l2sp_options.alpha = weight(s.l2spAlpha);
  m.l2sp_options.beta = weight(s.l2spBeta);
  m.dann = s.dann;
  m.dann_domain_weight = weight(s.dannDomainWeight);
  m.multitask = s.multitask;
  m.multitask_source_weight = weight(s.multitaskSourceWeight);
  m.progressive = s.progressive;
  m.source_per_class = std::max(0, s.sourcePerClass);
  if (m.progressive == impl_->config.mitigations.progressive) {
    impl_->config = next;  // the model and plan stay as they are
    Q_EMIT configChanged();
    return true;
  }
  next.transfer.layers.clear();  // edits name the other model's layers ("source.…" vs "features.…")
  if (m.progressive) {
    next.transfer.strategy_set = true;
    next.transfer.strategy = Strategy::FullFineTuning;
  }
  return replaceConfig(next, /*clampTopBlocks=*/false, error, QStringLiteral("Progressive networks"));
}

bool ExperimentSession::hasPretrainedModel() const { return impl_->prepared.pretrained.has_value(); }

// ---------------------------------------------------------------- target task

QList<int> ExperimentSession::targetClasses() const {
  QList<int> classes;
  for (int64_t c : impl_->config.target.classes) classes << static_cast<int>(c);
  if (classes.isEmpty()) {
    for (int c = 0; c < fashionMnistClassNames().size(); ++c) classes << c;
  }
  return classes;
}

bool ExperimentSession::setTargetClasses(const QList<int>& classes, QString* error) {
  const std::set<int> unique(classes.begin(), classes.end());
  const int count = static_cast<int>(fashionMnistClassNames().size());
  if (unique.size() != static_cast<size_t>(classes.size()) || unique.size() < 2 || *unique.begin() < 0 ||
      *unique.rbegin() >= count) {
    fail(QStringLiteral("target classes: expected at least two different classes"), error);
    return false;
  }
  ExperimentConfig next = impl_->config;
  next.target.dataset = DataConfig{}.dataset;  // Fashion-MNIST labels: back from an image folder
  next.target.folder.clear();
  next.target.classes.assign(classes.begin(), classes.end());
  return replaceConfig(next, /*clampTopBlocks=*/false, error);  // same layers, new head size
}

int ExperimentSession::shotsPerClass() const { return static_cast<int>(impl_->config.target.shots_per_class); }
void ExperimentSession::setShotsPerClass(int shots) {
  impl_->config.target.shots_per_class = std::max(0, shots);
  Q_EMIT configChanged();
}

bool ExperimentSession::targetLabelled() const { return impl_->config.target.labelled; }
void ExperimentSession::setTargetLabelled(bool labelled) {
  if (!labelled && !targetFolder().isEmpty()) {
    fail(QStringLiteral("An image folder is labelled by its class folders; unlabelled targets are Fashion-MNIST only"),
         nullptr);
    return;
  }
  impl_->config.target.labelled = labelled;
  if (!labelled) impl_->config.target.shots_per_class = 0;
  Q_EMIT configChanged();
}

QStringList ExperimentSession::shiftKindNames() const {
  QStringList names;
  for (ShiftKind k : all_shift_kinds()) names << qs(shift_kind_name(k));
  return names;
}

QString ExperimentSession::shiftKind() const { return qs(shift_kind_name(impl_->config.target.shift.kind)); }
double ExperimentSession::shiftStrength() const { return impl_->config.target.shift.strength; }

bool ExperimentSession::setShift(const QString& kindName, double strength, QString* error) {
  if (!targetFolder().isEmpty()) {
    fail(QStringLiteral("Domain shifts apply to Fashion-MNIST only, not to an image folder"), error);
    return false;
  }
  try {
    auto& shift = impl_->config.target.shift;
    shift.kind = shift_kind_from_name(kindName.toStdString());
    shift.strength = std::clamp(strength, 0.0, 1.0);
  } catch (const std::exception& e) {
    fail(qs(e.what()), error);
    return false;
  }
  Q_EMIT configChanged();
  return true;
}

QList<int> ExperimentSession::sourceClasses() const {
  const QStringList names = fashionMnistClassNames();
  QList<int> classes;
  if (const auto& meta = impl_->prepared.pretrained) {
    for (const auto& name : meta->class_names) {
      const int index = names.indexOf(qs(name));
      if (index >= 0) classes << index;
    }
    if (!classes.isEmpty()) return classes;
  }
  for (int64_t c : impl_->config.source.classes) classes << static_cast<int>(c);
  if (classes.isEmpty()) {
    for (int c = 0; c < names.size(); ++c) classes << c;
  }
  return classes;
}

QString ExperimentSession::targetFolder() const {
  const DataConfig& target = impl_->config.target;
  return target.dataset == kImageFolderDataset ? qs(target.folder) : QString();
}

bool ExperimentSession::setTargetFolder(const QString& folder, QString* error) {
  ExperimentConfig next = impl_->config;
  DataConfig& target = next.target;
  const DataConfig defaults;
  if (folder.isEmpty()) {
    target.dataset = defaults.dataset;
    target.folder.clear();
  } else {
    target.dataset = kImageFolderDataset;
    target.folder = folder.toStdString();
    target.root.clear();
    target.labelled = true;
    target.shift = defaults.shift;
    target.mismatch = defaults.mismatch;
  }
  // Counts chosen for one dataset rarely fit the other.
  target.classes.clear();
  target.shots_per_class = 0;
  target.test_per_class = 0;
  return replaceConfig(next, /*clampTopBlocks=*/false, error, QStringLiteral("Image folder"));
}

QStringList ExperimentSession::fashionMnistClassNames() {
  QStringList names;
  for (const auto& n : fashion_mnist_class_names()) names << qs(n);
  return names;
}

// ---------------------------------------------------------------- torch-side access

ExperimentConfig sessionConfig(const ExperimentSession& session) { return session.impl_->config; }
const PreparedModel& sessionPreparedModel(const ExperimentSession& session) { return session.impl_->prepared; }

}  // namespace tl
