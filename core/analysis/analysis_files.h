#pragma once

#include "analysis/run_analysis.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tl {

/// The version analysis.json carries; read_analysis refuses others.
inline constexpr int kAnalysisVersion = 1;

/// RUN_DIR/analysis: where analyze_run keeps its results.
std::string analysis_dir(const std::string& run_dir);

/// analysis.json, the summary a GUI loads without recomputing:
/// {"version": 1, "run_dir", "name", "architecture", "class_names", "test_images",
///  "transfer": {"model", "accuracy", "recorded_accuracy", "correct", "confusion" [[…]]},
///  "twin": the same or null, "twin_name", "difference" [[…]] or null,
///  "per_class": [{"class", "transfer_accuracy", "twin_accuracy", "gap_points", "seeds",
///                 "transfer_mean", "transfer_std", "twin_mean", "twin_std", "gap_points_mean", "gap_points_std"}],
///  "most_confused": [{"true", "predicted", "true_class", "predicted_class", "count"}],
///  "top_losses": [{"index", "true", "predicted", "true_class", "predicted_class", "probability", "loss"}],
///  "grad_cam_layer",
///  "feature_maps": [{"model", "layer", "features", "source_images", "target_images", "mmd2",
///                    "proxy_a_distance", "pca_explained_variance", "tsne", "tsne_kl_divergence",
///                    "source_classes", "target_classes"}],
///  "notes": [...], "files": [...], "options": {...}, "seconds"}.
/// Accuracies are fractions, gaps points; a value that does not exist is null.
nlohmann::json analysis_json(const RunAnalysis& analysis);

/// Writes every file of the analysis to `dir` (created), each through a
/// temporary file and a rename, and removes a twin_confusion.csv left by an
/// earlier analysis when this one has no twin matrix. Returns the names
/// written, analysis.json last. Throws naming the path on I/O errors.
///   confusion.csv, twin_confusion.csv: counts, a header row of predicted
///     classes, one row per true class;
///   predictions.csv: index,true_class,predicted_class,probability,loss
///     (+ twin_predicted_class,twin_probability,twin_loss);
///   per_class.csv: class,transfer_accuracy,twin_accuracy,gap_points,seeds,
///     transfer_mean,transfer_std,twin_mean,twin_std,gap_points_mean,gap_points_std
///     (empty cells where a value does not exist; no twin columns at all for
///     a run without a twin);
///   top_losses.csv: rank,index,true_class,predicted_class,probability,loss;
///   most_confused.csv: true_class,predicted_class,count[,twin_count];
///   embedding.csv: x,y,method,model,domain,class,correct,index (method pca or
///     tsne, model pretrained or trained, correct 1/0 or empty when not judged).
std::vector<std::string> write_analysis(const RunAnalysis& analysis, const std::string& dir);

}  // namespace tl
