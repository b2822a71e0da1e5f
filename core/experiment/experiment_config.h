#pragma once

#include "data/domain_shift.h"
#include "data/label_mismatch.h"
#include "schedule/training_schedule.h"
#include "train/trainer.h"
#include "transfer/freeze_plan.h"
#include "transfer/strategy.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tl {

/// A config field with a bad value: what() is one line naming the field and
/// what was expected, e.g. "training.batch_size: expected an integer >= 1, got 0".
/// Core's error for bad user input; invariant violations stay std::logic_error.
class ConfigError : public std::runtime_error {
 public:
  /// what() is "<field>: <reason>".
  ConfigError(const std::string& field, const std::string& reason);
  /// A message that names its file or field itself; field() is "".
  explicit ConfigError(const std::string& message);

  /// The field as data, e.g. "transfer.layers.features.9"; "" when only the
  /// message names it.
  const std::string& field() const noexcept { return field_; }
  /// This error as found in the config file `path`: what() is
  /// "<path>: <what()>", field() is unchanged.
  ConfigError in_file(const std::string& path) const;

 private:
  std::string field_;
};

/// Which images and labels a task uses.
struct DataConfig {
  std::string dataset = "fashion-mnist";  ///< or "image-folder" (target only)
  std::string root;                       ///< "" = the Debian package's directory
  /// dataset "image-folder": <folder>/<class name>/<image>, or train/ val/
  /// test/ sub-roots of that. All its classes are used; classes, root, shift,
  /// mismatch and labelled: false are Fashion-MNIST-only and refused with it.
  std::string folder;
  std::vector<int64_t> classes;           ///< empty = all ten
  int64_t shots_per_class = 0;            ///< labelled training images per class; 0 = all
  /// false: the training images come without labels (an unlabelled target
  /// domain); only domain-adversarial adaptation (mitigations.dann) can train
  /// on them. Validation and test keep their labels, to measure the result.
  bool labelled = true;
  int64_t test_per_class = 0;             ///< test images per class; 0 = all
  double val_fraction = 0.1;              ///< of the labelled training images
  DomainShift shift;
  LabelMismatch mismatch;
  uint64_t seed = 1;                      ///< sampling, split and shift seed

  /// The Fashion-MNIST labels the task uses: `classes`, or all ten when it is
  /// empty. The one place that rule lives.
  std::vector<int64_t> selected_classes() const;
};

/// Where the model comes from.
struct ModelConfig {
  std::string pretrained;    ///< built-in checkpoint name or a file path; "" = from scratch
  std::string architecture;  ///< needed when pretrained is empty; checked against it otherwise
};

/// The strategy and any per-layer edits made afterwards.
struct TransferConfig {
  Similarity similarity = Similarity::Moderate;
  Strategy strategy = Strategy::PartialFineTuning;
  StrategyOptions options;
  std::map<std::string, LayerSetting> layers;  ///< edits applied on top of the strategy's plan
  /// How the plan and the learning rate change over the run ("transfer.schedule";
  /// omitted = the default: the final plan from the first step, a constant rate).
  TrainingSchedule schedule;
};

/// Negative-transfer mitigations ("mitigations" in JSON); each is off unless
/// its section is present (L2-SP) or enabled (DANN, multi-task). DANN and
/// multi-task train on the pretrained checkpoint's own source task, as its
/// metadata records it.
struct MitigationsConfig {
  bool l2sp = false;
  L2SpOptions l2sp_options;          ///< alpha, beta in [0, 100]
  bool dann = false;
  double dann_domain_weight = 1.0;   ///< weight of the domain loss, [0, 100]
  /// false: the source-only control (see DannSetup::adversarial).
  bool dann_adversarial = true;
  bool multitask = false;
  double multitask_source_weight = 0.5;  ///< weight of the source task's loss, [0, 100]
  /// DANN and multi-task: labelled source images per class drawn from the
  /// checkpoint's recorded source task; 0 = all of them. A few hundred keep a
  /// classroom run short (an epoch passes over every source image).
  int64_t source_per_class = 0;
  /// A progressive network: the pretrained model as a frozen column beside a
  /// new target column of the same architecture (needs full_fine_tuning).
  bool progressive = false;
};

/// How an intermediate-representation probe reads the model ("probe" in
/// JSON): classic models fitted on one layer's activations. See core/probe.
enum class ProbeClassifier { LogisticRegression, Knn, Both };
std::string probe_classifier_name(ProbeClassifier c);
/// Throws std::invalid_argument listing the valid names.
ProbeClassifier probe_classifier_from_name(const std::string& name);

struct ProbeConfig {
  /// A layer path ("features.1", "features.1.0"), a block name ("stem") or
  /// "input"; "" = every block, the per-layer transferability profile. Checked
  /// against the model when the probe runs (the config does not know it).
  std::string layer;
  ProbeClassifier classifier = ProbeClassifier::Both;
  int64_t k = 5;                ///< neighbours of the kNN classifier, >= 1
  double l2 = 1e-3;             ///< logistic regression's L2 penalty, >= 0
  int64_t max_features = 2048;  ///< activations are average-pooled down to at most this many values
};

/// The "dataset" value of an image-folder task.
inline constexpr const char* kImageFolderDataset = "image-folder";

/// One experiment: everything `transferlab-cli run` and the GUI need.
struct ExperimentConfig {
  std::string name = "experiment";
  std::string description;
  ModelConfig model;
  DataConfig target;
  DataConfig source;  ///< the source task; used by `pretrain`
  TransferConfig transfer;
  TrainingOptions training;
  MitigationsConfig mitigations;
  ProbeConfig probe;
  nlohmann::json extra = nlohmann::json::object();  ///< unknown-to-core keys kept for the GUI (lesson text, expected outcome)

  /// The strategy and its options as one choice. A config whose JSON names no
  /// strategy already holds its similarity's default (config_from_json).
  StrategyChoice resolved_strategy() const;
};

/// The freeze plan `config` gives `model`: its strategy, then the
/// transfer.layers edits (core/transfer's freeze_plan_for), and a progressive
/// network's pretrained column frozen. Not applied. Throws ConfigError naming
/// transfer.top_blocks, transfer.transferred_blocks or the unknown layer.
FreezePlan freeze_plan_for(const ExperimentConfig& config, const TransferModelImpl& model);

/// Parses and checks a config. Unknown keys at the top level are kept in
/// `extra`; unknown keys inside known sections are errors. Throws ConfigError.
ExperimentConfig config_from_json(const nlohmann::json& j);

/// The fully resolved config: every field config_from_json reads, defaults
/// included. TrainingOptions::channels_last is not a config field (a
/// benchmark's knob; runs always train channels-last) and is not written.
nlohmann::json config_to_json(const ExperimentConfig& config);

/// Reads and parses a JSON file; the error names the file and, for JSON syntax
/// errors, the byte offset.
ExperimentConfig load_config(const std::string& path);

/// load_config on the text of a config file; `path` only names the file in
/// error messages. Refuses empty text and JSON nesting deeper than
/// kMaxJsonDepth (util/bounded_json.h) before the fields are read.
ExperimentConfig parse_config(const std::string& text, const std::string& path);

}  // namespace tl
