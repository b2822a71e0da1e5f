#include "session/experiment_session.h"

#include "session/session_config.h"

#include "data/idx_reader.h"
#include "util/atomic_file.h"
#include "experiment/presets.h"
#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "schedule/training_schedule.h"
#include "transfer/plan_edits.h"
#include "weights/pretrained_catalog.h"
#include "util/bounded_json.h"

#include <QFileInfo>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <utility>

namespace tl {

struct ExperimentSession::Impl {
  ExperimentConfig config;
  PreparedModel prepared;
  std::vector<LayerInfo> tree;  ///< of prepared.model, refreshed after every plan change
  std::optional<ExpectedOutcome> expected;  ///< of the preset file last loaded
};

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The session's one way to report: the reason to the caller, no signal.
bool fail(const QString& message, QString* error) {
  if (error) *error = message;
  return false;
}

bool isCheckpoint(const std::string& nameOrPath) {
  for (const auto& m : builtin_models()) {
    if (m.name == nameOrPath) return true;
  }
  return QFileInfo(qs(nameOrPath)).isFile();
}

// Builds the model with a strategy valid for any architecture first, so
// `top_blocks` can be fitted to the new model's block count before planning.
PreparedModel prepareWithPlan(ExperimentConfig& config, bool clampTopBlocks) {
  ExperimentConfig safe = config;
  safe.transfer = TransferConfig{};
  safe.transfer.strategy = Strategy::FullFineTuning;
  PreparedModel prepared = prepare_model(safe);
  if (clampTopBlocks) {
    const int blocks = static_cast<int>(prepared.model->num_blocks());
    auto& options = config.transfer.options;
    options.top_blocks = std::clamp(options.top_blocks, 1, blocks);
    options.transferred_blocks = std::clamp(options.transferred_blocks, 1, blocks);
  }
  prepared.plan = freeze_plan_for(config, std::as_const(*prepared.model));
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

// The tree's paths in pre-order, as core's layer edits take them.
std::vector<std::string> layerPaths(const std::vector<LayerInfo>& tree) {
  std::vector<std::string> paths;
  for (const auto& info : tree) paths.push_back(info.path);
  return paths;
}

// The modules that own parameters: two plans that set these alike train alike.
std::vector<std::string> parameterLayers(const std::vector<LayerInfo>& tree) {
  std::vector<std::string> paths;
  for (const auto& info : tree) {
    if (info.own_parameters > 0) paths.push_back(info.path);
  }
  return paths;
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
    return fail(qs(e.what()), error);
  }
}

bool ExperimentSession::setConfigJson(const QString& jsonText, QString* error) {
  try {
    return loadConfig(config_from_json(parse_bounded_json(jsonText.toStdString())), nullptr, error);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(QStringLiteral("not valid JSON (byte %1)").arg(e.byte), error);
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
  }
}

bool ExperimentSession::replaceConfig(const ExperimentConfig& next, bool clampTopBlocks, QString* error,
                                      const QString& context) {
  std::string message;
  if (!adopt(*impl_, next, clampTopBlocks, &message)) {
    return fail(context.isEmpty() ? qs(message) : context + QStringLiteral(": ") + qs(message), error);
  }
  Q_EMIT modelChanged();
  Q_EMIT planChanged();
  Q_EMIT scheduleChanged();  // a new model or epoch count changes the timeline even when the schedule stays
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
    return fail(qs(e.what()), error);
  }
}

QString ExperimentSession::experimentName() const { return qs(impl_->config.name); }

LessonInfo ExperimentSession::lesson() const {
  LessonInfo info;
  info.name = experimentName();
  try {
    info.lesson = lesson_from_preset_keys(impl_->config.extra);
  } catch (const ConfigError&) {
    info.lesson = Lesson{};
  }
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
  if (is_architecture(id) && !isCheckpoint(id)) {
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

// The tree's rows as `plan` sets them; `tree` must have been read under `plan`.
QVector<LayerRow> layerRows(const std::vector<LayerInfo>& tree, const PreparedModel& prepared, const FreezePlan& plan) {
  QVector<LayerRow> rows;
  rows.reserve(static_cast<int>(tree.size()));
  for (const auto& info : tree) {
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
    row.lrMultiplier = plan.setting_for(info.path).lr_multiplier;
    row.newWeights = startsFromRandomWeights(prepared, info.path);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

QVector<LayerRow> ExperimentSession::layers() const { return layerRows(impl_->tree, impl_->prepared, impl_->prepared.plan); }

// The trainable counts are read from requires_grad, so the epoch's plan is
// applied for the reading and the stored plan put back at once.
QVector<LayerRow> ExperimentSession::layersAtEpoch(int epoch) const {
  const PreparedModel& prepared = impl_->prepared;
  TransferModelImpl& model = *prepared.model.ptr();
  const FreezePlan plan = plan_at_epoch(prepared.plan, model, impl_->config.transfer.schedule, epoch);
  plan.apply(model);
  const std::vector<LayerInfo> tree = layer_tree(model, prepared.architecture);
  prepared.plan.apply(model);
  return layerRows(tree, prepared, plan);
}

bool ExperimentSession::layerTrainable(const QString& path) const {
  return impl_->prepared.plan.setting_for(path.toStdString()).trainable;
}

double ExperimentSession::layerLrMultiplier(const QString& path) const {
  return impl_->prepared.plan.setting_for(path.toStdString()).lr_multiplier;
}

void ExperimentSession::setTrainable(const QStringList& paths, bool trainable) {
  for (const QString& path : paths) {
    set_subtree_trainable(impl_->config.transfer.layers, impl_->prepared.plan, path.toStdString(), trainable);
  }
  planEdited();
}

void ExperimentSession::setLrMultiplier(const QString& path, double multiplier) {
  set_layer_lr_multiplier(impl_->config.transfer.layers, impl_->prepared.plan, path.toStdString(), multiplier);
  planEdited();
}

void ExperimentSession::freezeUpTo(const QString& path) {
  const FreezePlan before = impl_->prepared.plan;
  if (freeze_up_to(impl_->config.transfer.layers, before, layerPaths(impl_->tree), path.toStdString())) planEdited();
}

void ExperimentSession::unfreezeFrom(const QString& path) {
  const FreezePlan before = impl_->prepared.plan;
  if (unfreeze_from(impl_->config.transfer.layers, before, layerPaths(impl_->tree), path.toStdString())) planEdited();
}

// Re-plans from the config after a layer edit. Edits that bring the plan back
// to the strategy's own are dropped, so the strategy is no longer "custom".
void ExperimentSession::planEdited() {
  auto& impl = *impl_;
  const TransferModelImpl& model = *impl.prepared.model;
  ExperimentConfig unedited = impl.config;
  unedited.transfer.layers.clear();
  const FreezePlan strategyPlan = freeze_plan_for(unedited, model);
  impl.prepared.plan = freeze_plan_for(impl.config, model);
  if (drop_redundant_edits(impl.config.transfer.layers, impl.prepared.plan, strategyPlan, parameterLayers(impl.tree))) {
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

bool ExperimentSession::setSimilarity(const QString& name, QString* error) {
  Similarity s;
  try {
    s = similarity_from_name(name.toStdString());
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
  }
  const StrategyChoice choice = default_strategy(s);
  impl_->config.transfer.similarity = s;
  return setStrategy(qs(strategy_name(choice.strategy)), block_count(choice.options, choice.strategy),
                     choice.options.lower_lr_multiplier, error);
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

bool ExperimentSession::setStrategy(const QString& strategyName, int blocks, double lowerLrMultiplier,
                                    QString* error) {
  Strategy strategy;
  try {
    strategy = strategy_from_name(strategyName.toStdString());
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
  }
  auto& transfer = impl_->config.transfer;
  transfer.strategy = strategy;
  block_count(transfer.options, strategy) = std::clamp(blocks, 1, std::max(1, blockCount()));
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
  const StrategyChoice choice = impl_->config.resolved_strategy();
  return block_count(choice.options, choice.strategy);
}

namespace {

// What core's option table says of a strategy; nothing for "custom".
StrategyOptionUse optionUse(const QString& strategyName) {
  try {
    return strategy_option_use(strategy_from_name(strategyName.toStdString()));
  } catch (const std::invalid_argument&) {
    return {};
  }
}

}  // namespace

bool ExperimentSession::strategyUsesBlocks(const QString& strategyName) { return optionUse(strategyName).blocks; }
bool ExperimentSession::strategyUsesLowerLr(const QString& strategyName) {
  return optionUse(strategyName).lower_lr_multiplier;
}
bool ExperimentSession::strategyCountsBlocksFromInput(const QString& strategyName) {
  return optionUse(strategyName).blocks_from_input;
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

// ---------------------------------------------------------------- schedule

namespace {

ScheduleSettings scheduleSettings(const TrainingSchedule& s) {
  ScheduleSettings out;
  out.unfreeze = qs(unfreeze_name(s.unfreeze));
  out.unfreezeEvery = s.unfreeze_every;
  out.headEpochs = s.head_epochs;
  out.lrMult = s.lr_mult;
  out.layerDecay = s.layer_decay;
  out.lrShape = qs(lr_shape_name(s.lr.shape));
  out.stepEpochs = s.lr.step_epochs;
  out.gamma = s.lr.gamma;
  out.warmupFraction = s.lr.warmup_fraction;
  out.peakRatio = s.lr.peak_ratio;
  return out;
}

// Names are checked here; ranges by the config's own parse (setSchedule).
TrainingSchedule trainingSchedule(const ScheduleSettings& s) {
  TrainingSchedule out;
  out.unfreeze = unfreeze_from_name(s.unfreeze.toStdString());
  out.unfreeze_every = s.unfreezeEvery;
  out.head_epochs = s.headEpochs;
  out.lr_mult = s.lrMult;
  out.layer_decay = s.layerDecay;
  out.lr.shape = lr_shape_from_name(s.lrShape.toStdString());
  out.lr.step_epochs = s.stepEpochs;
  out.lr.gamma = s.gamma;
  out.lr.warmup_fraction = s.warmupFraction;
  out.lr.peak_ratio = s.peakRatio;
  return out;
}

}  // namespace

ScheduleSettings ExperimentSession::schedule() const { return scheduleSettings(impl_->config.transfer.schedule); }

bool ExperimentSession::setSchedule(const ScheduleSettings& settings, QString* error) {
  ExperimentConfig next = impl_->config;
  try {
    next.transfer.schedule = trainingSchedule(settings);
    // Through JSON and back: the window accepts exactly what transferlab-cli would.
    next.transfer.schedule = config_from_json(config_to_json(next)).transfer.schedule;
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
  }
  if (next.transfer.schedule == impl_->config.transfer.schedule) return true;
  impl_->config.transfer.schedule = next.transfer.schedule;
  Q_EMIT scheduleChanged();
  Q_EMIT configChanged();
  return true;
}

QVector<ScheduleTimelineRow> ExperimentSession::scheduleTimeline(qint64 batchesPerEpoch) const {
  const auto& config = impl_->config;
  const auto timeline =
      schedule_timeline(impl_->prepared.plan, *impl_->prepared.model, config.transfer.schedule, config.training.epochs,
                        config.training.learning_rate, std::max<qint64>(1, batchesPerEpoch));
  QVector<ScheduleTimelineRow> rows;
  for (const TimelineRow& row : timeline) {
    rows.push_back({qs(row.block), QVector<double>(row.lr.begin(), row.lr.end())});
  }
  return rows;
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
  // The bounds config_from_json accepts for training.learning_rate (NaN takes the lower).
  impl_->config.training.learning_rate = rate > 1e-9 ? std::min(rate, 10.0) : 1e-9;
  Q_EMIT configChanged();
}

QString ExperimentSession::optimizer() const { return qs(optimizer_name(impl_->config.training.optimizer)); }
bool ExperimentSession::setOptimizer(const QString& name, QString* error) {
  try {
    impl_->config.training.optimizer = optimizer_from_name(name.toStdString());
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
  }
  Q_EMIT configChanged();
  return true;
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
  if (m.progressive) next.transfer.strategy = Strategy::FullFineTuning;
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
    return fail(QStringLiteral("target classes: expected at least two different classes"), error);
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
bool ExperimentSession::setTargetLabelled(bool labelled, QString* error) {
  if (!labelled && !targetFolder().isEmpty()) {
    return fail(
        QStringLiteral("An image folder is labelled by its class folders; unlabelled targets are Fashion-MNIST only"),
        error);
  }
  impl_->config.target.labelled = labelled;
  if (!labelled) impl_->config.target.shots_per_class = 0;
  Q_EMIT configChanged();
  return true;
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
    return fail(QStringLiteral("Domain shifts apply to Fashion-MNIST only, not to an image folder"), error);
  }
  try {
    auto& shift = impl_->config.target.shift;
    shift.kind = shift_kind_from_name(kindName.toStdString());
    shift.strength = std::clamp(strength, 0.0, 1.0);
  } catch (const std::exception& e) {
    return fail(qs(e.what()), error);
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
