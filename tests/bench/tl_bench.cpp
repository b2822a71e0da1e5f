// tl_bench: Transfer Lab's side of tests/bench/run.sh. Each call measures one
// thing and prints one JSON line; run.sh interleaves these calls with the
// Python loops of tests/bench/pytorch_loops.py and writes bench.json.
//
//   tl_bench job JOB [--epochs E] [--openblas-threads K] [--threads T] [--memory-format nchw|channels-last]
//                    [--malloc tuned|glibc-default]
//   tl_bench peak
//
// JOB is ARCH-STRATEGY with ARCH small_cnn ("smallcnn") or resnet_narrow and
// STRATEGY feature-extraction, partial-finetune, full-finetune or dann (full
// fine-tuning with DANN; the unlabelled target set is the inverted training images). The data are
// the first 2048 Fashion-MNIST training images of classes 0-4 (validation: the
// first 512 test images of those classes), batch 64, SGD lr 0.01 momentum 0.9,
// exactly what pytorch_loops.py reads and runs.

#include "data/dataset.h"
#include "data/idx_reader.h"
#include "models/model_zoo.h"
#include "train/trainer.h"
#include "transfer/strategy.h"

#include <torch/torch.h>

#include <dlfcn.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

constexpr int64_t kTrainImages = 2048;
constexpr int64_t kValidationImages = 512;
constexpr int64_t kClasses = 5;
constexpr int64_t kBatch = 64;

using Clock = std::chrono::steady_clock;

tl::Dataset first_of_classes(const tl::Dataset& all, int64_t count) {
  const auto keep = all.labels.lt(kClasses).nonzero().flatten().slice(0, 0, count);
  tl::Dataset d;
  d.images = all.images.index_select(0, keep).contiguous();
  d.labels = all.labels.index_select(0, keep).contiguous();
  d.class_names.assign(all.class_names.begin(), all.class_names.begin() + kClasses);
  return d;
}

struct JobSpec {
  std::string architecture;
  tl::Strategy strategy;
  bool dann = false;  ///< full fine-tuning + DANN, the unlabelled target = the inverted training images
};

JobSpec parse_job(const std::string& job) {
  const auto dash = job.find('-');
  if (dash == std::string::npos) throw std::invalid_argument("job: expected ARCH-STRATEGY, got " + job);
  std::string arch = job.substr(0, dash);
  const std::string strategy = job.substr(dash + 1);
  if (arch == "smallcnn") arch = "small_cnn";
  if (strategy == "feature-extraction") return {arch, tl::Strategy::FeatureExtraction};
  if (strategy == "partial-finetune") return {arch, tl::Strategy::PartialFineTuning};
  if (strategy == "full-finetune") return {arch, tl::Strategy::FullFineTuning};
  if (strategy == "dann") return {arch, tl::Strategy::FullFineTuning, true};
  throw std::invalid_argument("job: unknown strategy " + strategy);
}

/// Sets OpenBLAS's own thread count through its exported function (the
/// library the reference libblas.so.3 resolves to). Returns false when the
/// process has no OpenBLAS.
bool set_openblas_threads(int threads) {
  using SetThreads = void (*)(int);
  auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!fn) return false;
  fn(threads);
  return true;
}

long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

int openblas_threads() {
  using GetThreads = int (*)();
  auto fn = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return fn ? fn() : -1;
}

/// What one `tl_bench job` call varies; the defaults are the app's choices.
struct Knobs {
  int epochs = 3;
  int blas_threads = 0;  // 0: the app's choice (tl::configure_cpu_threads)
  int threads = 0;       // 0: every core, as the app does
  bool channels_last = true;
  bool tuned_malloc = true;  // tl::keep_freed_memory_for_reuse, which the Trainer calls
};

tl::TrainingOutcome train_once(const JobSpec& spec, const tl::Dataset& train, const tl::Dataset& validation,
                          int epochs, const Knobs& knobs) {
  torch::manual_seed(1);
  tl::TrainingJob job;
  job.model = tl::make_model(spec.architecture, kClasses);
  job.plan = tl::make_plan(spec.strategy, *job.model);
  job.train = train;
  job.validation = validation;
  job.options.epochs = epochs;
  job.options.batch_size = kBatch;
  job.options.learning_rate = 0.01;
  job.options.momentum = 0.9;
  job.options.threads = knobs.threads;
  job.options.channels_last = knobs.channels_last;
  if (spec.dann) {
    tl::DannSetup dann;
    dann.unlabelled = train;
    dann.unlabelled.images = 1.0 - train.images;
    job.dann = dann;
  }
  auto outcome = tl::Trainer::run(std::move(job));
  if (outcome.status != tl::RunStatus::Finished) throw std::runtime_error("training failed: " + outcome.message);
  return outcome;
}

int run_job(const std::string& name, const Knobs& knobs) {
  const int epochs = knobs.epochs, blas_threads = knobs.blas_threads, threads = knobs.threads;
  // The Trainer gives OpenBLAS the app's choice unless OPENBLAS_NUM_THREADS
  // is set (tl::configure_cpu_threads): set both to compare against it.
  if (blas_threads > 0) setenv("OPENBLAS_NUM_THREADS", std::to_string(blas_threads).c_str(), 1);
  // The Trainer leaves malloc alone when the user tuned it; a tunable set to
  // its default value (glibc reads GLIBC_TUNABLES at start-up only, so this
  // changes nothing else) is such a setting, which keeps glibc's own behaviour.
  if (!knobs.tuned_malloc) setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=7", 1);
  if (blas_threads > 0 && !set_openblas_threads(blas_threads)) {
    throw std::runtime_error("openblas_set_num_threads not found in this process");
  }
  const JobSpec spec = parse_job(name);
  const auto dir = tl::default_fashion_mnist_dir();
  const auto train = first_of_classes(tl::load_fashion_mnist(dir, tl::DataSplit::Train), kTrainImages);
  const auto validation = first_of_classes(tl::load_fashion_mnist(dir, tl::DataSplit::Test), kValidationImages);

  // Warm-up: one short epoch (allocators, oneDNN primitives, thread pools).
  train_once(spec, first_of_classes(train, 256), first_of_classes(validation, 64), 1, knobs);

  const long faults_before = minor_page_faults();
  const auto outcome = train_once(spec, train, validation, epochs, knobs);
  const long faults = minor_page_faults() - faults_before;
  double later_seconds = 0.0;
  for (size_t e = 1; e < outcome.epochs.size(); ++e) later_seconds += outcome.epochs[e].seconds;
  const auto model = tl::make_model(spec.architecture, kClasses);
  std::string side = "transferlab";
  if (blas_threads > 0) side += "_openblas" + std::to_string(blas_threads);
  if (threads > 0) side += "_threads" + std::to_string(threads);
  if (!knobs.channels_last) side += "_nchw";
  if (!knobs.tuned_malloc) side += "_glibc_malloc";
  std::printf(
      "{\"side\": \"%s\", \"job\": \"%s\", \"images_per_s\": %.3f, \"later_epochs_images_per_s\": %.3f, "
      "\"first_epoch_s\": %.4f, \"seconds\": %.4f, \"epochs\": %d, \"parameters\": %lld, \"flops_per_image\": %lld, "
      "\"threads\": %d, \"openblas_threads\": %d, \"cached_prefix_blocks\": %lld, \"final_val_accuracy\": %.4f, "
      "\"minor_page_faults\": %ld}\n",
      side.c_str(), name.c_str(), kTrainImages * epochs / outcome.seconds,
      epochs > 1 ? kTrainImages * (epochs - 1) / later_seconds : 0.0, outcome.epochs.front().seconds,
      outcome.seconds, epochs, static_cast<long long>(tl::count_parameters(*model)),
      static_cast<long long>(model->flops_per_image()), tl::training_thread_count(threads), openblas_threads(),
      static_cast<long long>(outcome.cached_prefix_blocks), outcome.epochs.back().val_accuracy, faults);
  return 0;
}

/// The machine's convolution peak: a large 3x3 conv2d forward in LibTorch.
int run_peak() {
  torch::NoGradGuard no_grad;
  torch::set_num_threads(tl::training_thread_count(0));
  torch::manual_seed(1);
  const int64_t n = 32, c = 128, hw = 28;
  const auto x = torch::randn({n, c, hw, hw});
  const auto w = torch::randn({c, c, 3, 3});
  const double flops = 2.0 * n * c * c * 9 * hw * hw;
  for (int i = 0; i < 3; ++i) torch::conv2d(x, w, {}, 1, 1);  // warm-up
  double best = 0.0;
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    auto y = torch::conv2d(x, w, {}, 1, 1);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, flops / s / 1e9);
  }
  std::printf("{\"side\": \"transferlab\", \"job\": \"conv-peak\", \"conv_peak_gflops\": %.2f, \"threads\": %d, "
              "\"shape\": \"conv2d 3x3 pad 1, input [%lld,%lld,%lld,%lld], %lld filters\"}\n",
              best, tl::training_thread_count(0), static_cast<long long>(n), static_cast<long long>(c),
              static_cast<long long>(hw), static_cast<long long>(hw), static_cast<long long>(c));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 2 && std::string(argv[1]) == "peak") return run_peak();
    if (argc >= 3 && std::string(argv[1]) == "job") {
      Knobs knobs;
      for (int i = 3; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--epochs") knobs.epochs = std::stoi(value);
        else if (flag == "--openblas-threads") knobs.blas_threads = std::stoi(value);
        else if (flag == "--threads") knobs.threads = std::stoi(value);
        else if (flag == "--memory-format" && (value == "nchw" || value == "channels-last")) {
          knobs.channels_last = value == "channels-last";
        } else if (flag == "--malloc" && (value == "tuned" || value == "glibc-default")) {
          knobs.tuned_malloc = value == "tuned";
        } else {
          throw std::invalid_argument("unknown option " + flag + " " + value);
        }
      }
      return run_job(argv[2], knobs);
    }
    std::cerr << "usage: tl_bench job JOB [--epochs E] [--openblas-threads K] [--threads T] "
                 "[--memory-format nchw|channels-last] [--malloc tuned|glibc-default] | tl_bench peak\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tl_bench: " << e.what() << "\n";
    return 1;
  }
}
