// transferlab-cli analyze: why a finished run turned out as it did — confusion
// matrices, per-class gaps, most confused pairs, top losses and the feature
// map of source and target — printed briefly and written to RUN_DIR/analysis/.
#include "cli_args.h"
#include "cli_commands.h"

#include "analysis/analysis_files.h"
#include "analysis/run_analysis.h"
#include "util/text_format.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace tl::cli {
namespace {

std::atomic<bool> g_cancel{false};

void on_interrupt(int) { g_cancel = true; }

constexpr size_t kPairsShown = 5;

struct AnalyzeArgs {
  std::string run_dir;
  AnalysisOptions options;
};

AnalyzeArgs parse_analyze_args(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--layer", "--samples", "--top", "--seed"});
  if (parsed.positional.size() != 1) throw UsageError{"analyze takes exactly one RUN_DIR"};
  AnalyzeArgs result;
  result.run_dir = parsed.positional.front();
  if (const auto layer = parsed.get("--layer")) result.options.layer = *layer;
  if (const auto n = parsed.get("--samples")) result.options.samples_per_domain = parse_int("--samples", *n, 1);
  if (const auto k = parsed.get("--top")) result.options.top_losses = parse_int("--top", *k, 0);
  if (const auto seed = parsed.get("--seed")) result.options.seed = static_cast<uint64_t>(parse_int("--seed", *seed, 0));
  return result;
}

/// A one-line progress display on a terminal, redrawn when the percentage moves.
class ProgressLine {
 public:
  ProgressLine() : terminal_(::isatty(::fileno(stderr)) != 0) {}
  ~ProgressLine() { clear(); }

  void show(const AnalysisProgress& p) {
    if (!terminal_) return;
    const int percent = static_cast<int>(100 * p.fraction);
    if (percent == last_percent_ && p.step == last_step_) return;
    last_percent_ = percent;
    last_step_ = p.step;
    std::fprintf(stderr, "\r\033[Kanalysing: %s %3d%%", p.step.c_str(), percent);
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool terminal_;
  bool shown_ = false;
  int last_percent_ = -1;
  std::string last_step_;
};

std::string recorded(const std::optional<double>& accuracy) {
  return accuracy ? "recorded " + format_percent(*accuracy) : "none recorded";
}

void print_accuracies(const RunAnalysis& a) {
  const ConfusionMatrix& m = a.transfer.matrix;
  std::printf("%s (%s): %s test images of %ld classes\n", a.name.c_str(), a.architecture.c_str(),
              format_count(m.total()).c_str(), static_cast<long>(m.classes()));
  std::printf("test accuracy from the confusion matrix: transfer %s (%s)\n", format_percent(m.accuracy()).c_str(),
              recorded(a.transfer.recorded_accuracy).c_str());
  if (a.twin) {
    std::printf("                                         %s %s (%s)\n", a.twin->model.c_str(),
                format_percent(a.twin->matrix.accuracy()).c_str(), recorded(a.twin->recorded_accuracy).c_str());
  }
}

void print_confusions(const RunAnalysis& a) {
  const auto& names = a.transfer.matrix.class_names;
  if (a.most_confused.empty()) {
    std::printf("most confused: none, every test image is classified correctly\n");
  } else {
    std::printf("most confused (true -> predicted: images):\n");
    for (size_t i = 0; i < std::min(kPairsShown, a.most_confused.size()); ++i) {
      const ConfusedPair& p = a.most_confused[i];
      std::printf("  %s -> %s: %ld\n", names[p.true_class].c_str(), names[p.predicted].c_str(),
                  static_cast<long>(p.count));
    }
  }
  if (a.top_losses.empty()) return;
  std::printf("top losses (test image: true -> predicted, probability, loss):\n");
  for (const ImagePrediction& p : a.top_losses) {
    std::printf("  %6ld: %s -> %s, %s, %.2f\n", static_cast<long>(p.index), names[p.true_class].c_str(),
                names[p.predicted].c_str(), format_percent(p.probability).c_str(), p.loss);
  }
}

void print_feature_maps(const RunAnalysis& a) {
  for (const auto& m : a.feature_maps) {
    std::printf("feature map, %s model, %s (%s features): %s source + %s target images; %s\n", m.model.c_str(),
                m.map.layer.c_str(), format_count(m.map.features).c_str(),
                format_count(m.map.count(Domain::Source)).c_str(), format_count(m.map.count(Domain::Target)).c_str(),
                format_domain_distance(m.map.mmd2, m.map.proxy_a_distance).c_str());
  }
  if (!a.grad_cam_layer.empty()) std::printf("Grad-CAM layer: %s\n", a.grad_cam_layer.c_str());
}

}  // namespace

int analyze_command(const std::vector<std::string>& args) {
  const AnalyzeArgs parsed = parse_analyze_args(args);
  g_cancel = false;
  auto previous = std::signal(SIGINT, on_interrupt);
  ProgressLine line;
  RunAnalysis a;
  try {
    a = analyze_run(parsed.run_dir, parsed.options, [&line](const AnalysisProgress& p) { line.show(p); }, &g_cancel);
  } catch (const AnalysisCancelled&) {
    line.clear();
    std::signal(SIGINT, previous);
    std::fprintf(stderr, "transferlab-cli: analysis cancelled; %s was left as it was\n",
                 analysis_dir(parsed.run_dir).c_str());
    return 130;
  } catch (...) {
    line.clear();
    std::signal(SIGINT, previous);
    throw;
  }
  line.clear();
  std::signal(SIGINT, previous);
  print_accuracies(a);
  print_confusions(a);
  print_feature_maps(a);
  for (const auto& note : a.notes) std::printf("note: %s\n", note.c_str());
  std::string files;
  for (const auto& f : a.files) files += (files.empty() ? "" : ", ") + f;
  std::printf("wrote %s/ (%s) in %s\n", a.output_dir.c_str(), files.c_str(), format_duration(a.seconds).c_str());
  return 0;
}

}  // namespace tl::cli
