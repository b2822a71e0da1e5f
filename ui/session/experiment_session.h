#pragma once

#include "lesson/lesson.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <string>

namespace tl {

struct ExperimentConfig;
struct ExpectedOutcome;
struct PreparedModel;

/// One module of the current model as the layer tree shows it (a torch-free
/// copy of tl::LayerInfo plus the plan's view of it).
struct LayerRow {
  QString path;   ///< dotted path, "" for the root
  QString name;   ///< last path component; the architecture for the root
  QString type;   ///< "Conv2d", "Sequential", ...
  QString shapes; ///< own parameter shapes, e.g. "32×1×3×3, 32"
  int depth = 0;
  int parent = -1;  ///< index in layers(), -1 for the root
  qint64 ownParams = 0;
  qint64 subtreeParams = 0;
  qint64 trainableParams = 0;  ///< of the subtree, under the current plan
  double lrMultiplier = 1.0;   ///< the plan's multiplier for this path
  bool newWeights = false;     ///< starts from random weights: the new head, or re-initialised by the strategy
};

/// What the model picker shows about the loaded model.
struct ModelInfo {
  QString name;          ///< built-in name, file path or "untrained <architecture>"
  QString architecture;
  bool pretrained = false;
  qint64 parameters = 0;  ///< with the current head
  qint64 flopsPerImage = 0;
  QString inputSize;      ///< "1×28×28"
  QString sourceTask;
  QStringList sourceClasses;
  qint64 trainingImages = 0;
  double sourceAccuracy = -1.0;  ///< in [0, 1]; -1 when untrained
  QString licence;
  QString created;
};

/// A built-in checkpoint or an untrained architecture the picker offers.
struct ModelChoice {
  QString id;     ///< what setModel() takes
  QString label;  ///< what the combo shows
};

/// What a teaching preset says about itself (its "steps" or "lesson", and
/// its "expected" section), for the lesson bar.
struct LessonInfo {
  QString name;           ///< the config's name
  Lesson lesson;          ///< its steps; a plain "lesson" text is one step; empty when none
  QString measured;       ///< the expected outcome's sentence; "" when the preset has none
  double secondsPerSeed = 0.0;  ///< of the measured run with its twin; 0 when unknown
};

/// The config's negative-transfer mitigations (a torch-free copy of
/// tl::MitigationsConfig, JSON section "mitigations").
struct MitigationSettings {
  bool l2sp = false;
  double l2spAlpha = 0.01;  ///< pull of transferred weights towards their pretrained values, [0, 100]
  double l2spBeta = 0.01;   ///< decay of new layers, [0, 100]
  bool dann = false;
  double dannDomainWeight = 1.0;  ///< [0, 100]
  bool multitask = false;
  double multitaskSourceWeight = 0.5;  ///< [0, 100]
  bool progressive = false;
  int sourcePerClass = 0;  ///< labelled source images per class for DANN and multi-task; 0 = all

  bool operator==(const MitigationSettings& o) const {
    return l2sp == o.l2sp && l2spAlpha == o.l2spAlpha && l2spBeta == o.l2spBeta && dann == o.dann &&
           dannDomainWeight == o.dannDomainWeight && multitask == o.multitask &&
           multitaskSourceWeight == o.multitaskSourceWeight && progressive == o.progressive &&
           sourcePerClass == o.sourcePerClass;
  }
  bool operator!=(const MitigationSettings& o) const { return !(*this == o); }
};

/// The run's schedule, "transfer.schedule" (a torch-free copy of
/// tl::TrainingSchedule; names as in JSON).
struct ScheduleSettings {
  QString unfreeze = QStringLiteral("none");  ///< "none", "gradual", "two_phase"
  int unfreezeEvery = 1;                      ///< gradual: epochs between thaws
  int headEpochs = 1;                         ///< two-phase: epochs with only the head training
  double lrMult = 10.0;                       ///< two-phase: top rate / lowest block's rate
  double layerDecay = 1.0;                    ///< (0, 1]: each block's multiplier × this below the one above; 1 = off
  QString lrShape = QStringLiteral("constant");  ///< "constant", "step", "cosine", "one_cycle"
  int stepEpochs = 5;                         ///< step: epochs between drops
  double gamma = 0.1;                         ///< step: factor per drop
  double warmupFraction = 0.1;                ///< one-cycle: share of the steps rising
  double peakRatio = 32.0;                    ///< one-cycle: peak rate / lowest rate

  bool isDefault() const { return *this == ScheduleSettings{}; }
  bool operator==(const ScheduleSettings& o) const {
    return unfreeze == o.unfreeze && unfreezeEvery == o.unfreezeEvery && headEpochs == o.headEpochs &&
           lrMult == o.lrMult && layerDecay == o.layerDecay && lrShape == o.lrShape && stepEpochs == o.stepEpochs &&
           gamma == o.gamma && warmupFraction == o.warmupFraction && peakRatio == o.peakRatio;
  }
  bool operator!=(const ScheduleSettings& o) const { return !(*this == o); }
};

/// One block's row of the schedule's timeline: per epoch the learning rate at
/// its first step, 0 while the block is frozen.
struct ScheduleTimelineRow {
  QString block;  ///< block path; "head" for the head
  QVector<double> lr;
};

/// The GUI's single source of truth: an ExperimentConfig plus the model it
/// prepares. Layer edits are stored as config.transfer.layers entries, so
/// configJson() reproduces the GUI's run in `transferlab-cli run`.
///
/// Errors: a call that can fail returns false, keeps the previous state and
/// fills `error` (when given) with the reason. The session emits no error
/// signal: the caller shows the reason, once, where it fits (a dialog, the
/// status bar, a panel's own label). Numeric setters cannot fail: they clamp
/// to the range a config accepts.
class ExperimentSession : public QObject {
  Q_OBJECT

 public:
  /// Starts from resources/presets/default.json when its model exists, else
  /// from an untrained small_cnn with the same task.
  explicit ExperimentSession(QObject* parent = nullptr);
  ~ExperimentSession() override;

  // --- whole config ---
  /// Reads a preset file, its "expected" section included (checked as core's
  /// load_preset checks it). Emits configLoaded on success; false and the
  /// reason in `error` otherwise (as every fallible call here).
  bool loadConfigFile(const QString& path, QString* error = nullptr);
  /// A config as JSON text (a restored session). Its "expected" section is
  /// kept in the config but not shown: only preset files are checked for it.
  bool setConfigJson(const QString& jsonText, QString* error = nullptr);
  QString configJson() const;  ///< pretty, fully resolved, with the layer edits
  /// Writes configJson() to `path` (temp file + rename).
  bool saveConfigFile(const QString& path, QString* error = nullptr) const;
  QString experimentName() const;
  /// The loaded config's lesson and measured outcome. A restored session's
  /// lesson that does not parse (only preset files are checked) is none.
  LessonInfo lesson() const;

  // --- model ---
  /// A built-in checkpoint name, a checkpoint file, or an architecture name
  /// (untrained). Clears layer edits; keeps the previous model on error.
  bool setModel(const QString& builtinNameOrPath, QString* error = nullptr);
  QString modelId() const;  ///< what setModel() was given (or the config's model)
  ModelInfo modelInfo() const;
  static QVector<ModelChoice> availableModels();  ///< built-ins, then untrained architectures

  // --- layer tree and plan edits ---
  QVector<LayerRow> layers() const;
  bool layerTrainable(const QString& path) const;
  double layerLrMultiplier(const QString& path) const;
  void setTrainable(const QStringList& paths, bool trainable);
  void setLrMultiplier(const QString& path, double multiplier);
  /// Freezes every layer in pre-order up to and including `path`'s subtree;
  /// every later layer trains.
  void freezeUpTo(const QString& path);
  /// The opposite: everything before `path` frozen, `path`'s subtree and
  /// every later layer trainable.
  void unfreezeFrom(const QString& path);
  qint64 trainableParameters() const;
  qint64 totalParameters() const;

  // --- strategy ---
  QStringList similarityNames() const;  ///< "high", "moderate", "low"
  QString similarity() const;
  /// Applies that level's default strategy (and clears layer edits). False
  /// for an unknown name.
  bool setSimilarity(const QString& name, QString* error = nullptr);
  QStringList strategyNames() const;  ///< config names, display order
  static QString strategyTitle(const QString& strategyName);
  static QString strategyExplanation(const QString& strategyName);
  static QString similarityExplanation(const QString& similarityName);
  /// Applies a strategy and clears layer edits. `blocks` (clamped to
  /// 1..blockCount()) is the strategy's block count: blocks from the top for
  /// partial fine-tuning and layer replacement, blocks kept from the input
  /// for selective transfer. lowerLrMultiplier: partial fine-tuning's lower
  /// blocks, selective transfer's kept blocks; 0 freezes them. Returns false
  /// for an unknown name.
  bool setStrategy(const QString& strategyName, int blocks, double lowerLrMultiplier, QString* error = nullptr);
  QString strategyName() const;  ///< the strategy the plan started from
  int topBlocks() const;          ///< transfer.top_blocks
  int transferredBlocks() const;  ///< transfer.transferred_blocks
  int strategyBlocks() const;     ///< the one of the two the current strategy uses
  /// From core's strategy option table (strategy_option_use); false for
  /// "custom" and unknown names.
  static bool strategyUsesBlocks(const QString& strategyName);
  static bool strategyUsesLowerLr(const QString& strategyName);
  /// Its block count is of blocks kept from the input (selective transfer),
  /// not of blocks from the top.
  static bool strategyCountsBlocksFromInput(const QString& strategyName);
  double lowerLrMultiplier() const;
  bool isCustom() const;  ///< layers were edited after the strategy was applied
  int blockCount() const;
  QStringList blockNames() const;

  // --- schedule ---
  ScheduleSettings schedule() const;
  /// Writes "transfer.schedule"; false (and the old schedule kept) when core's
  /// config checks refuse it, with their reason naming the field.
  bool setSchedule(const ScheduleSettings& settings, QString* error = nullptr);
  /// The layers as layers() shows them, but under the plan the schedule puts
  /// in force at 1-based `epoch` (core's plan_at_epoch); the stored plan is
  /// not changed.
  QVector<LayerRow> layersAtEpoch(int epoch) const;
  /// Core's schedule_timeline for the current plan, model, epochs and
  /// learning rate: blocks from the input up, then the head.
  /// `batchesPerEpoch` (>= 1) places each epoch's first step among the run's steps.
  QVector<ScheduleTimelineRow> scheduleTimeline(qint64 batchesPerEpoch) const;

  // --- training options ---
  int epochs() const;
  void setEpochs(int epochs);
  int batchSize() const;
  void setBatchSize(int batchSize);
  double learningRate() const;
  void setLearningRate(double rate);  ///< clamped to the config's 1e-9..10
  QString optimizer() const;  ///< "sgd" or "adam"
  bool setOptimizer(const QString& name, QString* error = nullptr);
  qint64 seed() const;
  void setSeed(qint64 seed);

  // --- mitigations ---
  MitigationSettings mitigations() const;
  /// Writes them into the config (weights clamped to [0, 100]). Switching
  /// progressive networks on or off rebuilds the model, so the tree shows the
  /// pretrained and the new column; switching it on also selects full
  /// fine-tuning, the only strategy a new column can train with. Fails (and
  /// keeps the old settings) when the config would not prepare, e.g. a
  /// progressive network without a pretrained model.
  bool setMitigations(const MitigationSettings& settings, QString* error = nullptr);
  /// Whether the model is pretrained: twins, the similarity meter and the
  /// mitigations all need one.
  bool hasPretrainedModel() const;

  // --- target task ---
  QList<int> targetClasses() const;  ///< Fashion-MNIST labels; never empty
  /// At least two distinct labels in 0..9; rebuilds the head.
  bool setTargetClasses(const QList<int>& classes, QString* error = nullptr);
  int shotsPerClass() const;  ///< 0 = all
  void setShotsPerClass(int shots);
  /// false: an unlabelled target (target.labelled); only DANN trains on it,
  /// so turning labels off also sets the shots to 0 (none to draw). An image
  /// folder is always labelled: false for it.
  bool targetLabelled() const;
  bool setTargetLabelled(bool labelled, QString* error = nullptr);
  QStringList shiftKindNames() const;  ///< "none", "rotation", ...
  QString shiftKind() const;
  double shiftStrength() const;  ///< 0..1
  bool setShift(const QString& kindName, double strength, QString* error = nullptr);
  QList<int> sourceClasses() const;  ///< the checkpoint's classes as Fashion-MNIST labels
  static QStringList fashionMnistClassNames();
  /// The image folder the target uses; "" = Fashion-MNIST (built in).
  QString targetFolder() const;
  /// Switches the target to an image folder (all its class folders; the
  /// Fashion-MNIST classes and shift are cleared, and labels and test images
  /// per class go back to all) or, given "", back to Fashion-MNIST's ten
  /// classes. Rebuilds the head; fails and keeps the old target when the
  /// folder cannot serve (missing, one class, an empty class).
  bool setTargetFolder(const QString& folder, QString* error = nullptr);

 Q_SIGNALS:
  void modelChanged();   ///< new model: the layer list changed (also emits planChanged)
  void planChanged();    ///< trainable flags or LR multipliers changed
  void configChanged();  ///< anything in the config changed
  /// transfer.schedule changed, or the config was replaced (a loaded config,
  /// a new model); comes before configChanged.
  void scheduleChanged();
  /// A whole config replaced the old one (a preset or restored session), as
  /// opposed to an edit of the current one; emitted after configChanged.
  void configLoaded();

 private:
  // session_config.h: the core objects, for .cpp files that include LibTorch.
  friend ExperimentConfig sessionConfig(const ExperimentSession& session);
  friend const PreparedModel& sessionPreparedModel(const ExperimentSession& session);
  struct Impl;
  /// Prepares `next`; only when that succeeds it becomes `impl`'s state.
  static bool adopt(Impl& impl, ExperimentConfig next, bool clampTopBlocks, std::string* error);

  /// Prepares `next`; only when that succeeds it becomes the state (and the
  /// model, plan and config signals fire).
  bool replaceConfig(const ExperimentConfig& next, bool clampTopBlocks, QString* error,
                     const QString& context = {});
  /// replaceConfig for a whole new config; `expected` (may be null) is the
  /// preset's measured outcome, kept beside the config for lesson().
  bool loadConfig(const ExperimentConfig& next, const ExpectedOutcome* expected, QString* error);
  void planEdited();
  std::unique_ptr<Impl> impl_;
};

}  // namespace tl
