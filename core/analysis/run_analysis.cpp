#include "analysis/run_analysis.h"

#include "analysis/analysis_files.h"
#include "analysis/grad_cam.h"
#include "analysis/pretrained_side.h"
#include "analysis/run_folder.h"
#include "experiment/experiment.h"
#include "train/allocator_tuning.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace tl {
namespace {

/// The calling thread's LibTorch thread count for the analysis, restored after.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int threads) : previous_(at::get_num_threads()) { at::set_num_threads(threads); }
  ~ThreadCountGuard() { at::set_num_threads(previous_); }

 private:
  int previous_;
};

/// Keeps the memory freed by one batch mapped for the next (as a training run
/// does) and hands it back when the analysis ends: the forward passes over
/// thousands of images otherwise page-fault on every buffer afresh (page
/// faults were a third of the analysis's CPU time under perf). It starts
/// after the images are decoded, so that decoding's large transient copies
/// are not kept too.
class KeptMemory {
 public:
  KeptMemory() { keep_freed_memory_for_reuse(); }
  ~KeptMemory() { release_kept_memory(); }
  KeptMemory(const KeptMemory&) = delete;
  KeptMemory& operator=(const KeptMemory&) = delete;
};

/// Reports progress over steps of known weight.
class StepProgress {
 public:
  StepProgress(const AnalysisProgressFn& fn, const std::atomic<bool>* cancel) : fn_(fn), cancel_(cancel) {}

  /// Starts a step covering [start, end) of the whole analysis.
  void begin(const std::string& step, double start, double end) {
    throw_if_cancelled(cancel_);
    step_ = step;
    start_ = start;
    end_ = end;
    report(0.0);
  }
  /// Within the current step.
  void report(double fraction) const {
    if (fn_) fn_({step_, start_ + (end_ - start_) * std::clamp(fraction, 0.0, 1.0)});
  }

 private:
  const AnalysisProgressFn& fn_;
  const std::atomic<bool>* cancel_;
  std::string step_;
  double start_ = 0.0, end_ = 0.0;
};

std::optional<double> number_at(const nlohmann::json& j, const char* a, const char* b) {
  if (!j.is_object() || !j.contains(a) || !j[a].is_object() || !j[a].contains(b) || !j[a][b].is_number()) {
    return std::nullopt;
  }
  return j[a][b].get<double>();
}

std::optional<std::vector<double>> per_class_at(const nlohmann::json& j, const char* section, int64_t classes) {
  if (!j.is_object() || !j.contains(section) || !j[section].is_object()) return std::nullopt;
  const auto& s = j[section];
  if (!s.contains("test_per_class_accuracy") || !s["test_per_class_accuracy"].is_array()) return std::nullopt;
  const auto& values = s["test_per_class_accuracy"];
  if (static_cast<int64_t>(values.size()) != classes) return std::nullopt;
  std::vector<double> out;
  for (const auto& v : values) {
    if (!v.is_number()) return std::nullopt;
    out.push_back(v.get<double>());
  }
  if (s.contains("status") && s["status"] != "finished") return std::nullopt;
  return out;
}

// The per_seed rows' per-class accuracies: mean and spread over seeds.
void add_seed_statistics(std::vector<PerClassGap>& rows, const nlohmann::json& record) {
  if (!record.is_object() || !record.contains("per_seed") || !record["per_seed"].is_array()) return;
  const auto classes = static_cast<int64_t>(rows.size());
  std::vector<std::vector<double>> transfer(classes), twin(classes), gap(classes);
  for (const auto& seed_row : record["per_seed"]) {
    const auto t = per_class_at(seed_row, "transfer", classes);
    const auto b = per_class_at(seed_row, "baseline", classes);
    for (int64_t c = 0; c < classes; ++c) {
      if (t) transfer[c].push_back((*t)[c]);
      if (b) twin[c].push_back((*b)[c]);
      if (t && b) gap[c].push_back(100.0 * ((*t)[c] - (*b)[c]));
    }
  }
  for (int64_t c = 0; c < classes; ++c) {
    rows[c].seeds = static_cast<int64_t>(transfer[c].size());
    if (!transfer[c].empty()) rows[c].transfer_over_seeds = mean_std(transfer[c]);
    if (!twin[c].empty()) rows[c].twin_over_seeds = mean_std(twin[c]);
    if (!gap[c].empty()) rows[c].gap_points_over_seeds = mean_std(gap[c]);
  }
}

std::vector<PerClassGap> per_class_gaps(const RunAnalysis& a, const RunFolder& f) {
  const ConfusionMatrix& m = a.transfer.matrix;
  const auto transfer = m.per_class_accuracy();
  std::optional<std::vector<double>> twin;
  if (a.twin) {
    twin = a.twin->matrix.per_class_accuracy();
  } else if (f.twin_record.is_object()) {
    twin = per_class_at(f.twin_record, "final", m.classes());
  }
  std::vector<PerClassGap> rows(m.classes());
  for (int64_t c = 0; c < m.classes(); ++c) {
    rows[c].class_name = m.class_names[c];
    rows[c].transfer_accuracy = transfer[c];
    if (twin) {
      rows[c].twin_accuracy = (*twin)[c];
      rows[c].gap_points = 100.0 * (transfer[c] - (*twin)[c]);
    }
  }
  add_seed_statistics(rows, f.record);
  return rows;
}

ModelConfusion confusion_of(const std::string& role, SavedModel& model, const Dataset& pixels,
                            const nlohmann::json& record) {
  const Dataset test = normalised_for(pixels, model);
  if (model.model->num_classes() != test.num_classes()) {
    throw std::runtime_error(model.path + ": the model predicts " + std::to_string(model.model->num_classes()) +
                             " classes but the run's config gives its target " + std::to_string(test.num_classes()));
  }
  return {role, confusion_matrix(*model.model, test), number_at(record, "final", "test_accuracy")};
}

// A model that records no normalisation (an imported checkpoint) reads
// images as the run normalised them for it: with the trained model's.
Dataset normalised_or_like(const Dataset& pixels, const SavedModel& model, const SavedModel& fallback) {
  if (pixels.size() == 0) return pixels;
  return model.metadata.normalization_mean.empty() ? normalised_for(pixels, fallback) : normalised_for(pixels, model);
}

FeatureMapOptions map_options(const AnalysisOptions& o, bool judge, const StepProgress& step,
                              const std::atomic<bool>* cancel) {
  FeatureMapOptions m;
  m.layer = o.layer;
  m.samples_per_domain = o.samples_per_domain;
  m.seed = o.seed;
  m.judge_predictions = judge;
  m.tsne_options.iterations = o.tsne_iterations;
  m.progress = [&step](double fraction) { step.report(fraction); };
  m.cancel = cancel;
  return m;
}

torch::Tensor predicted_classes(const ConfusionMatrix& m) {
  std::vector<int64_t> predicted(m.predictions.size());
  for (const auto& p : m.predictions) predicted.at(p.index) = p.predicted;
  return torch::tensor(predicted, torch::kLong);
}

void check_options(const AnalysisOptions& o) {
  if (o.samples_per_domain < 1) throw std::invalid_argument("analysis: samples per domain must be >= 1");
  if (o.top_losses < 0) throw std::invalid_argument("analysis: top losses must be >= 0");
  if (o.tsne_iterations < 1) throw std::invalid_argument("analysis: t-SNE iterations must be >= 1");
  if (o.threads < 0) throw std::invalid_argument("analysis: threads must be >= 0");
}

}  // namespace

RunAnalysis analyze_run(const std::string& run_dir, const AnalysisOptions& options,
                        const AnalysisProgressFn& progress, const std::atomic<bool>* cancel) {
  check_options(options);
  const auto started = std::chrono::steady_clock::now();
  ThreadCountGuard threads(training_thread_count(options.threads));
  torch::NoGradGuard no_grad;
  StepProgress step(progress, cancel);

  step.begin("reading the run folder", 0.0, 0.05);
  RunFolder folder = load_run_folder(run_dir);
  RunAnalysis a;
  a.run_dir = run_dir;
  a.output_dir = analysis_dir(run_dir);
  a.name = folder.config.name;
  a.architecture = folder.model.metadata.architecture;
  a.twin_name = folder.twin_name;
  a.notes = folder.notes;
  a.options = options;

  step.begin("rebuilding the test images", 0.05, 0.15);
  const Dataset pixels = run_test_pixels(folder);

  step.begin("source images", 0.15, 0.2);
  PretrainedSide pretrained = load_pretrained_side(folder, a.notes);

  // Decoding is done: from here on, batches reuse the memory the last one freed.
  KeptMemory memory;
  step.begin("confusion matrix", 0.2, 0.25);
  a.transfer = confusion_of("transfer", folder.model, pixels, folder.record);
  if (folder.twin_model) {
    a.twin = confusion_of(folder.twin_name, *folder.twin_model, pixels, folder.twin_record);
    a.difference = confusion_difference(a.transfer.matrix, a.twin->matrix);
  }
  a.per_class = per_class_gaps(a, folder);
  a.most_confused = most_confused(a.transfer.matrix);
  a.top_losses = top_losses(a.transfer.matrix, options.top_losses);
  try {
    a.grad_cam_layer = default_grad_cam_layer(*folder.model.model);
  } catch (const ConfigError& e) {
    a.notes.push_back(std::string(e.what()) + ": Grad-CAM is not available for this model");
  }

  const Dataset target = normalised_for(pixels, folder.model);
  if (pretrained.model) {
    step.begin("feature map (pretrained model)", 0.25, 0.6);
    const Dataset source = normalised_or_like(pretrained.source_pixels, *pretrained.model, folder.model);
    const Dataset target_for_pretrained = normalised_or_like(pixels, *pretrained.model, folder.model);
    a.feature_maps.push_back({"pretrained", compute_feature_map(*pretrained.model->model, source, target_for_pretrained,
                                                                map_options(options, false, step, cancel))});
  }
  step.begin("feature map (trained model)", pretrained.model ? 0.6 : 0.25, 0.95);
  const Dataset source = normalised_or_like(pretrained.source_pixels, folder.model, folder.model);
  FeatureMapOptions trained = map_options(options, true, step, cancel);
  trained.target_predictions = predicted_classes(a.transfer.matrix);
  a.feature_maps.push_back({"trained", compute_feature_map(*folder.model.model, source, target, trained)});

  step.begin("writing " + a.output_dir, 0.95, 1.0);
  a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  a.files = write_analysis(a, a.output_dir);
  step.report(1.0);
  return a;
}

}  // namespace tl
