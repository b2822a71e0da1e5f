#pragma once

#include "analysis/analysis_control.h"
#include "analysis/confusion_matrix.h"
#include "analysis/error_ranking.h"
#include "analysis/feature_map.h"
#include "experiment/baseline.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// What analyze_run computes and how.
struct AnalysisOptions {
  std::string layer;                  ///< the feature map's layer; "" = the last block (the head's input)
  int64_t samples_per_domain = 1000;  ///< source and target images in each feature map
  int64_t top_losses = 9;             ///< test images listed by loss
  uint64_t seed = 1;                  ///< which images the feature maps draw, the t-SNE start
  int threads = 0;                    ///< LibTorch threads of the calling thread meanwhile; 0 = every core
  int64_t tsne_iterations = 1000;
};

/// One of the run's models on the test set, beside what run.json recorded.
struct ModelConfusion {
  std::string model;  ///< "transfer", or the twin's name ("scratch twin")
  ConfusionMatrix matrix;
  std::optional<double> recorded_accuracy;  ///< the record's final.test_accuracy, when it has one
};

/// One class's transfer gap.
struct PerClassGap {
  std::string class_name;
  double transfer_accuracy = 0.0;       ///< from the transfer model's confusion matrix
  std::optional<double> twin_accuracy;  ///< the twin's matrix, else twin/run.json
  std::optional<double> gap_points;     ///< (transfer − twin) × 100
  /// Over the per_seed rows of run.json that hold per-class accuracies
  /// (a comparison over several seeds): mean and sample standard deviation;
  /// the gap's are of the paired differences, in points.
  int64_t seeds = 0;
  std::optional<MeanStd> transfer_over_seeds;
  std::optional<MeanStd> twin_over_seeds;
  std::optional<MeanStd> gap_points_over_seeds;
};

/// A feature map of one of the run's models.
struct ModelFeatureMap {
  std::string model;  ///< "pretrained" (the checkpoint the run started from) or "trained"
  FeatureMap map;
};

/// Everything analyze_run found, as written to RUN_DIR/analysis/.
struct RunAnalysis {
  std::string run_dir;
  std::string output_dir;  ///< RUN_DIR/analysis
  std::string name;        ///< the config's name
  std::string architecture;
  ModelConfusion transfer;
  std::optional<ModelConfusion> twin;  ///< when the twin's model was exported
  std::string twin_name;               ///< "" for a run without a twin
  std::vector<int64_t> difference;     ///< transfer − twin counts, row-major; empty without the twin's matrix
  std::vector<PerClassGap> per_class;
  std::vector<ConfusedPair> most_confused;     ///< of the transfer model
  std::vector<ImagePrediction> top_losses;     ///< of the transfer model
  std::string grad_cam_layer;                  ///< default_grad_cam_layer of the model; "" when it has none
  std::vector<ModelFeatureMap> feature_maps;   ///< "pretrained" (when there is one) then "trained"
  std::vector<std::string> notes;              ///< what is missing and what that means
  std::vector<std::string> files;              ///< written, relative to output_dir
  AnalysisOptions options;
  double seconds = 0.0;
};

/// Analyses a finished run's folder (see RunFolder for its layout) and writes
/// RUN_DIR/analysis/: confusion.csv (and twin_confusion.csv), predictions.csv,
/// per_class.csv, top_losses.csv, most_confused.csv, embedding.csv and
/// analysis.json (analysis_files.h). The test images are rebuilt from the
/// run's config; the source images from the pretrained checkpoint's recorded
/// source task. `progress` is called on this thread between steps and during
/// t-SNE; `cancel` is checked as often, and when set analyze_run throws
/// AnalysisCancelled having written nothing. Throws std::runtime_error or
/// ConfigError with a message naming the missing file or bad field.
RunAnalysis analyze_run(const std::string& run_dir, const AnalysisOptions& options = {},
                        const AnalysisProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace tl
