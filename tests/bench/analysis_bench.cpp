// tl_analysis_bench: what the analysis of issue 16 costs. Each call measures
// one thing at one thread count and prints one JSON line with the seconds and
// the process's peak resident memory, so run it once per (thing, threads):
//
//   tl_analysis_bench tsne      [--threads T]   t-SNE of 2,000 points x 128 dimensions (1,000 iterations)
//   tl_analysis_bench gradcam   [--threads T]   Grad-CAM of one 28x28 image on small_cnn (median of 50)
//   tl_analysis_bench gradcam-resnet18 [--threads T]   one 224x224 image on ResNet-18 (median of 5)
//   tl_analysis_bench analysis  [--threads T] [--run DIR]
//        analyze_run of the default preset's run with its twin (default options: 1,000 source and
//        1,000 target images, both feature maps); without --run the run is trained first into a
//        temporary folder (not timed)
//
// T = 0 (the default) means every core. Targets (issue 16): t-SNE < 5 s and the
// full analysis < 10 s on 2 cores; Grad-CAM < 50 ms (28x28) and < 1 s (ResNet-18).

#include "analysis/grad_cam.h"
#include "analysis/run_analysis.h"
#include "analysis/tsne.h"
#include "data/seeded_generator.h"
#include "experiment/experiment_config.h"
#include "models/model_zoo.h"
#include "run/run_experiment.h"
#include "train/cpu_threads.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

template <typename F>
double median_seconds(int warmup, int repeats, F&& run) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    run();
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

double bench_tsne() {
  // Ten well separated clusters of 200 points, like class clouds of a feature map.
  auto gen = tl::seeded_generator(1, 1);
  const auto labels = torch::arange(10, torch::kLong).repeat_interleave(200);
  const auto points = (torch::randn({10, 128}, gen) * 4).index_select(0, labels) + torch::randn({2000, 128}, gen);
  const auto start = Clock::now();
  const tl::Tsne t = tl::tsne(points);
  const double s = seconds_since(start);
  std::fprintf(stderr, "t-SNE: KL %.3f\n", t.kl_divergence);
  return s;
}

double bench_gradcam(const std::string& architecture, int64_t size, int repeats) {
  torch::manual_seed(1);
  const tl::InputShape input = size == 224 ? tl::InputShape{3, 224, 224} : tl::InputShape{};
  tl::TransferModel model = tl::make_model(architecture, size == 224 ? 1000 : 10, input);
  model->eval();
  const auto image = torch::randn({1, input.channels, input.height, input.width});
  return median_seconds(2, repeats, [&] { tl::grad_cam(*model, image); });
}

std::string default_preset() { return std::string(TL_BENCH_RESOURCE_DIR) + "/presets/default.json"; }

/// The default preset's run with its twin, as `transferlab-cli run default.json --twin` leaves it.
std::string train_default_run(const fs::path& dir) {
  tl::RunRequest request;
  request.config = tl::load_config(default_preset());
  request.run_dir = dir.string();
  request.repetition.twin = true;
  request.origin = "cli";
  request.history_path = (dir / "history.sqlite").string();
  tl::RunObserver observer;
  tl::RunControl control;
  const tl::RunResult result = tl::run_experiment(request, observer, control);
  if (result.status != tl::RunStatus::Finished) throw std::runtime_error("training the default preset: " + result.message);
  return request.run_dir;
}

double bench_analysis(const std::string& given_run, int threads) {
  fs::path scratch;
  std::string run = given_run;
  if (run.empty()) {
    scratch = fs::temp_directory_path() / ("tl_analysis_bench_" + std::to_string(::getpid()));
    fs::remove_all(scratch);
    std::fprintf(stderr, "training the default preset with its twin into %s...\n", scratch.c_str());
    run = train_default_run(scratch / "run");
  }
  tl::AnalysisOptions options;
  options.threads = threads;
  const auto start = Clock::now();
  const tl::RunAnalysis a = tl::analyze_run(run, options);
  const double s = seconds_since(start);
  std::fprintf(stderr, "analysis: %ld test images, twin matrix %s, %zu feature maps\n",
               static_cast<long>(a.transfer.matrix.total()), a.twin ? "yes" : "no", a.feature_maps.size());
  for (const auto& note : a.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  if (!scratch.empty()) fs::remove_all(scratch);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::invalid_argument("usage: tl_analysis_bench tsne|gradcam|gradcam-resnet18|analysis [--threads T] [--run DIR]");
    const std::string what = argv[1];
    int threads = 0;
    std::string run;
    for (int i = 2; i + 1 < argc; i += 2) {
      const std::string option = argv[i];
      if (option == "--threads") threads = std::stoi(argv[i + 1]);
      else if (option == "--run") run = argv[i + 1];
      else throw std::invalid_argument("unknown option " + option);
    }
    tl::configure_cpu_threads(threads);  // the calling thread's LibTorch threads, OpenBLAS as the app sets it
    const int used = tl::training_thread_count(threads);
    double s = 0.0;
    if (what == "tsne") s = bench_tsne();
    else if (what == "gradcam") s = bench_gradcam("small_cnn", 28, 50);
    else if (what == "gradcam-resnet18") s = bench_gradcam("resnet18", 224, 5);
    else if (what == "analysis") s = bench_analysis(run, threads);
    else throw std::invalid_argument("unknown measurement " + what);
    std::printf("{\"measure\": \"%s\", \"threads\": %d, \"seconds\": %.4f, \"peak_rss_mb\": %.1f}\n", what.c_str(),
                used, s, peak_rss_mb());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tl_analysis_bench: %s\n", e.what());
    return 1;
  }
}
