#pragma once

// Analyses and run folders for the Analysis view's tests: hand-built
// matrices with known cells, and finished run folders made without training
// (the analysis does not care how good the model is).

#include "analysis/confusion_matrix.h"
#include "analysis/run_analysis.h"

#include "../core/support/finished_run.h"

#include <string>
#include <utility>
#include <vector>

namespace tl::test {

/// A matrix of the images (true class, predicted class), in test-set order;
/// each image's probability is 0.5 + index / 1000 and its loss index / 100,
/// so every image can be told apart.
inline ConfusionMatrix matrixOf(const std::vector<std::string>& classes,
                                const std::vector<std::pair<int64_t, int64_t>>& images) {
  ConfusionMatrix m;
  m.class_names = classes;
  m.counts.assign(classes.size() * classes.size(), 0);
  for (size_t i = 0; i < images.size(); ++i) {
    const auto [truth, predicted] = images[i];
    ++m.counts[static_cast<size_t>(truth) * classes.size() + static_cast<size_t>(predicted)];
    ImagePrediction p;
    p.index = static_cast<int64_t>(i);
    p.true_class = truth;
    p.predicted = predicted;
    p.probability = 0.5 + static_cast<double>(i) / 1000.0;
    p.loss = static_cast<double>(i) / 100.0;
    m.predictions.push_back(p);
  }
  return m;
}

/// Three classes, twelve test images; the twin confuses other cells.
inline ConfusionMatrix transferMatrix() {
  return matrixOf({"T-shirt", "Trouser", "Bag"}, {{0, 0}, {0, 1}, {0, 0}, {1, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 0},
                                                   {2, 2}, {0, 1}, {1, 1}, {2, 2}});
}

inline ConfusionMatrix twinMatrix() {
  return matrixOf({"T-shirt", "Trouser", "Bag"}, {{0, 0}, {0, 2}, {0, 2}, {1, 1}, {1, 0}, {1, 2}, {2, 2}, {2, 0},
                                                   {2, 0}, {0, 1}, {1, 1}, {2, 2}});
}

/// `classes` classes of `perClass` test images each, of which `right` are
/// predicted right and the rest as the next class.
inline ConfusionMatrix diagonalMatrix(int classes, int perClass, int right) {
  std::vector<std::string> names;
  std::vector<std::pair<int64_t, int64_t>> images;
  for (int64_t k = 0; k < classes; ++k) {
    names.push_back("class " + std::to_string(k));
    for (int i = 0; i < perClass; ++i) images.emplace_back(k, i < right ? k : (k + 1) % classes);
  }
  return matrixOf(names, images);
}

/// A comparison's analysis of `transferConfusion` and `twinConfusion` (same classes): gaps,
/// pairs and top losses as core computes them; no feature maps.
inline RunAnalysis analysisOf(const std::string& runDir, ConfusionMatrix transferConfusion, ConfusionMatrix twinConfusion) {
  RunAnalysis a;
  a.run_dir = runDir;
  a.name = "hand-built";
  a.architecture = "small_cnn";
  a.transfer.model = "transfer";
  a.transfer.matrix = std::move(transferConfusion);
  a.twin = ModelConfusion{"scratch twin", std::move(twinConfusion), std::nullopt};
  a.twin_name = "scratch twin";
  a.difference = confusion_difference(a.transfer.matrix, a.twin->matrix);
  const std::vector<double> transfer = a.transfer.matrix.per_class_accuracy();
  const std::vector<double> twin = a.twin->matrix.per_class_accuracy();
  for (size_t c = 0; c < transfer.size(); ++c) {
    PerClassGap gap;
    gap.class_name = a.transfer.matrix.class_names[c];
    gap.transfer_accuracy = transfer[c];
    gap.twin_accuracy = twin[c];
    gap.gap_points = (transfer[c] - twin[c]) * 100.0;
    a.per_class.push_back(gap);
  }
  a.most_confused = most_confused(a.transfer.matrix);
  a.top_losses = top_losses(a.transfer.matrix, 4);
  a.seconds = 1.5;
  return a;
}

/// The analysis of transferMatrix() and twinMatrix().
inline RunAnalysis handBuiltAnalysis(const std::string& runDir) {
  return analysisOf(runDir, transferMatrix(), twinMatrix());
}

/// Leaves in `dir` what a finished single run leaves (config.json, run.json,
/// model.safetensors): an untrained small_cnn, so no checkpoint is needed.
inline void writeFinishedRun(const std::string& dir) {
  write_finished_run(small_run_config("analysis view test", /*pretrained=*/false), dir);
}

/// Fast analysis settings for tests.
inline AnalysisOptions quickAnalysis() {
  AnalysisOptions o;
  o.samples_per_domain = 40;
  o.tsne_iterations = 250;
  o.top_losses = 5;
  return o;
}

}  // namespace tl::test
