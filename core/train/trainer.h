#pragma once

#include "data/dataset.h"
#include "models/transfer_model.h"
#include "schedule/training_schedule.h"
#include "train/training_events.h"
#include "transfer/freeze_plan.h"
#include "transfer/l2sp.h"

#include <torch/nn/modules/linear.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tl {

enum class OptimizerKind { Sgd, Adam };
std::string optimizer_name(OptimizerKind kind);  ///< "sgd", "adam"
OptimizerKind optimizer_from_name(const std::string& name);

struct TrainingOptions {
  int epochs = 5;
  int64_t batch_size = 64;
  double learning_rate = 0.01;
  OptimizerKind optimizer = OptimizerKind::Sgd;
  double momentum = 0.9;       ///< SGD only
  double weight_decay = 0.0;   ///< not used while L2-SP is on (TrainingJob::l2sp replaces it)
  uint64_t seed = 1;
  int threads = 0;             ///< intra-op threads; 0 = every core
  bool cache_frozen_features = true;  ///< reuse activations of a frozen prefix every epoch
  /// Convolution weights channels-last while training (set_weight_memory_format
  /// in train/weight_memory_format.h); false keeps PyTorch's default NCHW, for
  /// comparisons against it. A resumed run keeps the layout of its checkpoint.
  bool channels_last = true;
};

/// Domain-adversarial training (DANN, Ganin and Lempitsky 2015). Every step
/// draws a batch of `unlabelled` target images beside the labelled batch; the
/// features of both pass through a gradient reversal layer (lambda rising with
/// dann_lambda(progress)) into a fresh DomainClassifier trained with binary
/// cross-entropy to tell the domains apart. The loss is
/// task cross-entropy + domain_weight × domain BCE.
struct DannSetup {
  Dataset unlabelled;              ///< target-domain images; their labels are not used
  torch::Tensor labelled_domains;  ///< [train.size()], 0 = source image, 1 = target image; undefined = all source
  double domain_weight = 1.0;      ///< >= 0
  /// false: the source-only control. The domain classifier still learns and
  /// reports how well it tells the domains apart, but no reversed gradient
  /// reaches the features (lambda 0), so they never align.
  bool adversarial = true;
};

/// Multi-task learning: a second labelled task (the source task) trains through
/// the same blocks with its own head; loss = target CE + source_weight × source CE.
struct MultiTaskSetup {
  Dataset source;
  double source_weight = 0.5;              ///< >= 0
  torch::nn::Linear source_head{nullptr};  ///< starting weights (e.g. the pretrained head); null = fresh
};

/// Everything one training run needs. The trainer takes ownership: nothing in
/// it is touched by another thread until the run has ended.
struct TrainingJob {
  TransferModel model{nullptr};
  FreezePlan plan;
  Dataset train;
  Dataset validation;
  TrainingOptions options;
  /// L2-SP, with w0 taken after re-initialisation. It replaces weight decay:
  /// the optimizer runs with weight_decay 0 while it is set, since its beta
  /// term already decays the new layers and decaying transferred weights
  /// towards 0 would fight the pull towards w0.
  std::optional<L2SpOptions> l2sp;
  std::optional<DannSetup> dann;
  std::optional<MultiTaskSetup> multitask;
  /// The plan in force at each epoch (epoch_plans[e - 1] for epoch e; see
  /// plan_at_epoch), derived from `plan`, which still says what is
  /// re-initialised and what L2-SP anchors. Empty: `plan` throughout.
  /// The run starts with the first; at the first batch of an epoch whose plan
  /// differs from the previous epoch's, that plan replaces the one in force
  /// (edits made while training included), as a "plan_change" RunEvent whose
  /// details start with "schedule: ".
  std::vector<FreezePlan> epoch_plans;
  /// Every step, each parameter group runs at the base rate × its multiplier × lr_schedule.factor(step).
  LrSchedule lr_schedule;
  /// Where the run keeps its checkpoint (DIR/checkpoint.safetensors, after
  /// every epoch and on every pause) and its event log (DIR/events.jsonl).
  /// Empty: neither is written.
  std::string run_dir;
  /// Continue from run_dir's checkpoint instead of starting at epoch 1. The
  /// job must be built as the interrupted run's was (same config and seed):
  /// with the checkpoint's weights, optimizer and random states the run then
  /// ends with the same metrics as one that was never interrupted.
  /// The listener first gets on_epoch for the epochs the checkpoint holds and
  /// on_run_event for the plan changes made before it.
  bool resume = false;
};

/// A new freeze plan and base learning rate for a running job, e.g. edited
/// while it is paused.
struct TrainingUpdate {
  FreezePlan plan;  ///< its re-initialisation list is ignored: weights are never reset mid-run
  double learning_rate = 0.01;
};

/// What a run leaves behind.
struct TrainingOutcome {
  RunStatus status = RunStatus::Finished;
  std::string message;
  TransferModel model{nullptr};
  std::vector<EpochEvent> epochs;  ///< of the whole run, including those before a resume
  double seconds = 0.0;
  int64_t cached_prefix_blocks = 0;  ///< blocks whose output was cached at the start (0 = none)
  /// Times the cached activations were (re)computed because the frozen prefix
  /// changed, e.g. as a schedule thaws its blocks; a resumed run counts its own.
  int feature_cache_builds = 0;
  int threads = 0;                   ///< LibTorch intra-op threads it trained with (0 = it never started)
  bool channels_last = false;        ///< whether its convolution weights trained channels-last
};

/// Loss and accuracy of a model on a dataset (eval mode, no grad).
struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
  std::vector<double> per_class_accuracy;
};
Evaluation evaluate(TransferModelImpl& model, const Dataset& data, int64_t batch_size = 256);

/// The same on data that already went through blocks [0, first_block)
/// (cached activations at a freeze boundary).
Evaluation evaluate_from_block(TransferModelImpl& model, const Dataset& data, int64_t first_block,
                               int64_t batch_size = 256);

/// Number of intra-op threads a training thread uses for `requested`; 0 means
/// every core: the GUI thread mostly sleeps between 25 Hz redraws, and on a
/// 2-core laptop sparing a core for it would halve training speed.
int training_thread_count(int requested);

/// The most intra-op threads a config or a checkpoint may ask for.
constexpr int kMaxTrainingThreads = 256;

/// The EpochEvent::warning for `current` given the epochs before it: "features
/// not aligned" when the domain accuracy was above 95% in this and the previous
/// epoch, "task loss diverges" when the training loss grew three epochs in a
/// row; both joined by "; "; empty when healthy.
std::string epoch_warning(const std::vector<EpochEvent>& previous, const EpochEvent& current);

struct TrainingRun;    // train/training_run.h
struct EpochProgress;

/// Trains a model on its own thread and reports through a TrainingListener.
///
/// Before the first step the plan is validated and applied: listed layers are
/// re-initialised, frozen parameters get requires_grad(false) and are left out
/// of the optimizer, and modules whose parameters are all frozen stay in eval
/// mode (so frozen BatchNorm statistics never move). Each trainable parameter
/// belongs to a parameter group with lr = base lr × its multiplier.
/// The reported loss is always the target task's cross-entropy, so runs with
/// and without mitigations plot on the same scale; the mitigations' terms are
/// added to what is optimised.
/// pause(), resume(), cancel() and update() take effect between batches.
/// The run is reproducible for options.seed on the same machine.
///
/// With a run_dir, the trainer writes a checkpoint after every epoch and when
/// it parks on a pause; a checkpoint that cannot be written is reported as a
/// "warning" RunEvent and the run goes on. A loss that becomes NaN or
/// infinite ends the run as Diverged with a message naming the epoch, the
/// batch and a smaller learning rate to try; the last checkpoint (taken while
/// the loss was finite) stays as it was.
class Trainer {
 public:
  Trainer(TrainingJob job, TrainingListener* listener);
  ~Trainer();  ///< cancels a running job and joins the thread
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void start();   ///< starts the training thread; once
  void pause();
  void resume();
  void cancel();
  /// Applies a new freeze plan and learning rate before the next batch:
  /// requires_grad follows the plan, the optimizer is rebuilt keeping the
  /// state (momentum, Adam moments) of the parameters that still train, the
  /// frozen-feature cache is rebuilt when the frozen prefix changes, and a
  /// "plan_change" RunEvent is logged; one equal to the settings in force is
  /// ignored. An update the model rejects (unknown layer, nothing left to
  /// train) is reported as a "warning" and ignored.
  /// L2-SP keeps the anchors it took at the start.
  void update(TrainingUpdate update);
  bool paused() const { return pause_requested_.load(); }
  bool running() const { return running_.load(); }

  /// Blocks until the thread has ended and returns the outcome; call once.
  TrainingOutcome wait();

  /// start() + wait() on the calling thread's behalf.
  static TrainingOutcome run(TrainingJob job, TrainingListener* listener = nullptr);

 private:
  void thread_main();
  void train_loop();
  void run_epoch(TrainingRun& run, EpochProgress& progress);
  void wait_while_paused();
  bool cancel_requested() const { return cancel_requested_.load(); }
  void apply_pending_update(TrainingRun& run, int epoch, int64_t batch);
  void apply_plan(TrainingRun& run, const TrainingUpdate& update);
  /// At the first batch of `epoch`: switches to its scheduled plan when the schedule changes there.
  void apply_scheduled_plan(TrainingRun& run, int epoch);
  void cache_frozen_prefix(TrainingRun& run);
  /// Writes run_dir's checkpoint (see train/run_checkpoint.h) and reports it.
  void save_checkpoint(TrainingRun& run, const EpochProgress* partial, int epoch, int64_t batch);
  /// Restores the run from run_dir's checkpoint, reports the resumption and
  /// replays to the listener what came before it; returns the epoch to continue at.
  int resume_from_checkpoint(TrainingRun& run, std::optional<EpochProgress>& partial);
  /// Appends to the event log and tells the listener.
  void report(int epoch, int64_t batch, RunEventKind kind, const std::string& details);

  TrainingJob job_;
  TrainingListener* listener_;
  TrainingOutcome outcome_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> pause_requested_{false};
  std::atomic<bool> cancel_requested_{false};
  std::mutex pause_mutex_;
  std::condition_variable pause_cv_;
  std::mutex update_mutex_;
  std::optional<TrainingUpdate> pending_update_;
  bool event_log_failed_ = false;  // training thread only
  int64_t batches_per_epoch_ = 0;  // training thread only; 0 until the run is set up
};

}  // namespace tl
