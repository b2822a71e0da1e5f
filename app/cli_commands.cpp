#include "cli_commands.h"

#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/model_export.h"
#include "experiment/presets.h"
#include "experiment/pretraining.h"
#include "experiment/similarity_meter.h"
#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "probe/probe_run.h"
#include "run/run_experiment.h"
#include "util/text_format.h"
#include "util/utc_time.h"
#include "weights/checkpoint.h"
#include "weights/checkpoint_import.h"
#include "weights/pretrained_catalog.h"
#include "weights/safetensors.h"
#include "weights/weight_import.h"
#include "cli_args.h"
#include "progress_printer.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace tl::cli {
namespace {

// The run's cancel flag while a run trains; the SIGINT handler sets it
// (an atomic store is async-signal-safe) and the run stops between batches.
std::atomic<bool>* g_cancel_flag = nullptr;

void on_interrupt(int) {
  if (g_cancel_flag) g_cancel_flag->store(true);
}

std::string single_config(const ParsedArgs& parsed, const char* command) {
  if (parsed.positional.size() != 1) throw UsageError{std::string(command) + " takes exactly one CONFIG.json"};
  return parsed.positional[0];
}

/// Progress of a run on stderr: its summary, then a progress bar (or a
/// line per epoch) for each job, labelled with the job's role and seed.
class CliRunObserver : public RunObserver {
 public:
  explicit CliRunObserver(const RunRepetition& repetition) : repetition_(repetition) {}

  void on_run_started(const RunStart& start) override { std::fprintf(stderr, "%s\n", start.summary.c_str()); }
  void on_job_started(const JobIdentity& job) override {
    const bool single = repetition_ == RunRepetition{};
    printer_ = std::make_unique<ProgressPrinter>(single ? "train" : job_label(job));
  }
  void on_batch(const BatchEvent& e) override { printer_->on_batch(e); }
  void on_epoch(const EpochEvent& e) override { printer_->on_epoch(e); }
  void on_run_event(const RunEvent& e) override { printer_->on_run_event(e); }
  void on_finished(const FinishedEvent& e) override { printer_->on_finished(e); }

 private:
  RunRepetition repetition_;
  std::unique_ptr<ProgressPrinter> printer_;
};

/// Runs the request with Ctrl-C as a clean cancel.
RunResult run_interruptibly(const RunRequest& request) {
  RunControl control;
  CliRunObserver observer(request.repetition);
  g_cancel_flag = &control.cancel_flag();
  auto previous = std::signal(SIGINT, on_interrupt);
  struct Restore {
    decltype(previous) handler;
    ~Restore() {
      std::signal(SIGINT, handler);
      g_cancel_flag = nullptr;
    }
  } restore{previous};
  return run_experiment(request, observer, control);
}

std::string seed_line(const SeedRuns& s, TwinKind twin) {
  std::string line = "seed " + std::to_string(s.seed) + ": transfer " + run_status_name(s.transfer.status);
  char text[96];
  std::snprintf(text, sizeof text, ", test accuracy %.1f%%", 100 * s.transfer.test_accuracy);
  line += text;
  if (s.baseline) {
    std::snprintf(text, sizeof text, "; %s %s, %.1f%% (%+.1f points)", twin_name(twin).c_str(),
                  run_status_name(s.baseline->status).c_str(), 100 * s.baseline->test_accuracy,
                  100 * (s.transfer.test_accuracy - s.baseline->test_accuracy));
    line += text;
  }
  return line;
}

/// What `run --seeds K` / `run --twin` prints: each seed's pair, the verdict,
/// the files. run.json is the first seed's transfer run with the summary
/// sections; its twin is in DIR/twin.
void print_comparison(const RunResult& result, const std::string& out) {
  const Comparison& comparison = result.comparison;
  for (const auto& s : comparison.runs) std::printf("%s\n", seed_line(s, comparison.twin).c_str());
  if (comparison.verdict) std::printf("verdict: %s\n", comparison.verdict->sentence().c_str());
  std::printf("wrote %s/run.json and metrics.csv%s\n", out.c_str(),
              result.twin_written ? (" (its " + twin_name(comparison.twin) + ": twin/)").c_str() : "");
}

/// What a single `run` prints: its outcome and the files.
void print_single(const RunResult& result, const ExperimentConfig& config, const std::string& out) {
  const RunRecord& record = result.comparison.runs.front().transfer;
  const std::string test = record.status == RunStatus::Finished
                               ? ", test accuracy " + format_percent(record.test_accuracy)
                               : " (not evaluated on the test split: the run did not finish)";
  std::printf("%s: %s after %zu epochs, validation accuracy %s%s (%s)\n", config.name.c_str(),
              run_status_name(record.status).c_str(), record.epochs.size(),
              format_percent(record.val_accuracy).c_str(), test.c_str(), format_duration(record.seconds).c_str());
  std::printf("wrote %s/run.json and %s/metrics.csv\n", out.c_str(), out.c_str());
}

/// 0 finished, 1 failed or diverged (with the reason on stderr), 130 stopped.
int run_exit_code(const RunResult& result) {
  if (!result.history_warning.empty()) {
    std::fprintf(stderr, "transferlab-cli: warning: %s\n", result.history_warning.c_str());
  }
  if (result.status == RunStatus::Failed || result.status == RunStatus::Diverged) {
    std::fprintf(stderr, "transferlab-cli: training %s: %s\n", run_status_name(result.status).c_str(),
                 result.message.c_str());
    return 1;
  }
  return result.status == RunStatus::Finished ? 0 : 130;
}

/// The probe's rows as an aligned table on stdout.
void print_probe_table(const ProbeReport& report) {
  size_t width = 5;
  for (const auto& row : report.rows) width = std::max(width, row.point.layer.size());
  const int w = static_cast<int>(width);
  std::printf("%-*s %-8s %-12s %8s %9s %8s %9s\n", w, "layer", "block", "type", "features", "LR train", "LR test",
              "kNN test");
  for (const auto& row : report.rows) {
    const auto& lr = row.logistic_regression;
    std::printf("%-*s %-8s %-12s %8ld %9s %8s %9s\n", w, row.point.layer.c_str(), row.point.block.c_str(),
                row.point.type.c_str(), static_cast<long>(row.features),
                format_percent(lr ? std::optional<double>(lr->train_accuracy) : std::nullopt).c_str(),
                format_percent(lr ? std::optional<double>(lr->test.accuracy) : std::nullopt).c_str(),
                format_percent(row.knn ? std::optional<double>(row.knn->test.accuracy) : std::nullopt).c_str());
  }
}

}  // namespace

int models_command(const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError{"models takes no arguments"};
  const auto models = builtin_models();
  if (models.empty()) {
    std::fprintf(stderr, "no built-in models in %s/models\n", resource_dir().c_str());
    return 1;
  }
  for (const auto& m : models) {
    const auto& md = m.metadata;
    TransferModel model = model_from_checkpoint(load_checkpoint(m.path));
    std::printf("%s\n  architecture: %s, %s parameters, %s FLOPs per image, input %ldx%ldx%ld\n",
                m.name.c_str(), md.architecture.c_str(), format_count(count_parameters(*model)).c_str(),
                format_count(model->flops_per_image()).c_str(), static_cast<long>(md.input.channels),
                static_cast<long>(md.input.height), static_cast<long>(md.input.width));
    std::printf("  source task: %s\n  trained on %s images, source test accuracy %.1f%%, seed %lu, %s\n",
                md.source_task.c_str(), format_count(md.training_images).c_str(), 100 * md.source_accuracy,
                static_cast<unsigned long>(md.seed), md.created.c_str());
    std::printf("  file: %s\n", m.path.c_str());
  }
  return 0;
}

int presets_command(const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError{"presets takes no arguments"};
  std::vector<std::string> errors;
  const auto presets = builtin_presets(&errors);
  for (const auto& p : presets) {
    std::printf("%s — %s\n", p.id.c_str(), p.config.name.c_str());
    if (!p.config.description.empty()) std::printf("  %s\n", p.config.description.c_str());
    if (p.expected) {
      std::printf("  measured: %s; %.0f s per seed with its twin\n", p.expected->sentence().c_str(),
                  p.expected->seconds_per_seed);
    }
    std::printf("  run: transferlab-cli run %s --twin\n", p.path.c_str());
  }
  for (const auto& e : errors) std::fprintf(stderr, "transferlab-cli: skipped %s\n", e.c_str());
  if (presets.empty()) std::fprintf(stderr, "no presets in %s/presets\n", resource_dir().c_str());
  return presets.empty() || !errors.empty() ? 1 : 0;
}

int layers_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--model"});
  const auto name = parsed.get("--model");
  if (!name || !parsed.positional.empty()) throw UsageError{"layers needs --model NAME|FILE"};
  TransferModel model = is_architecture(*name)
                            // An untrained zoo architecture at its own input size, 10-class head.
                            ? make_model(*name, 10, describe_architecture(*name).input)
                            : model_from_checkpoint(load_checkpoint(resolve_checkpoint(*name)));
  std::printf("%-28s %-14s %-20s %10s\n", "layer", "type", "parameter shapes", "params");
  for (const auto& layer : layer_tree(*model, model->architecture())) {
    std::string shapes;
    for (const auto& shape : layer.parameter_shapes) {
      std::ostringstream s;
      s << "[";
      for (size_t i = 0; i < shape.size(); ++i) s << (i ? "x" : "") << shape[i];
      s << "]";
      shapes += (shapes.empty() ? "" : " ") + s.str();
    }
    const std::string indented = std::string(2 * layer.depth, ' ') + layer.name;
    std::printf("%-28s %-14s %-20s %10s\n", indented.c_str(), layer.type.c_str(), shapes.c_str(),
                format_count(layer.subtree_parameters).c_str());
  }
  return 0;
}

int import_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--arch", "--out"}, {"--partial"});
  const auto arch = parsed.get("--arch");
  const auto out = parsed.get("--out");
  if (parsed.positional.size() != 1 || !arch || !out) {
    throw UsageError{"import needs FILE.pt|FILE.safetensors --arch NAME --out FILE.safetensors"};
  }
  const ImportOptions options{parsed.get("--partial").has_value()};
  const ImportedCheckpoint imported = import_checkpoint(parsed.positional.front(), *arch, utc_now_iso8601(), options);
  save_checkpoint(imported.checkpoint, *out);
  std::printf("%s: %s\n", out->c_str(), imported.report.summary().c_str());
  return 0;
}

int run_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--epochs", "--seed", "--seeds", "--out", "--resume"}, {"--twin"});
  const auto resume = parsed.get("--resume");
  if (resume && (parsed.options.size() > 1 || !parsed.positional.empty())) {
    throw UsageError{"run --resume DIR takes no config or other options: the run continues with DIR/config.json"};
  }
  RunRequest request;
  if (resume) {
    request = resume_request(*resume, "cli");
  } else {
    const std::string config_path = single_config(parsed, "run");
    const auto epochs = parsed.get("--epochs");
    const auto seed = parsed.get("--seed");
    const auto seeds = parsed.get("--seeds");
    // Check the flags before the (slower) config and data.
    const int64_t epochs_value = epochs ? parse_int("--epochs", *epochs, 1) : 0;
    const int64_t seed_value = seed ? parse_int("--seed", *seed, 0) : 0;
    const int64_t seeds_value = seeds ? parse_int("--seeds", *seeds, 1) : 1;
    request.config = load_config(config_path);
    if (epochs) request.config.training.epochs = static_cast<int>(epochs_value);
    if (seed) request.config.training.seed = request.config.target.seed = static_cast<uint64_t>(seed_value);
    request.run_dir = parsed.get("--out").value_or((fs::path("runs") / request.config.name).string());
    // --seeds K repeats the pair: a transfer run and its twin for each seed.
    request.repetition = {static_cast<int>(seeds_value), seeds.has_value() || parsed.get("--twin").has_value()};
  }
  if (::isatty(::fileno(stderr))) std::fprintf(stderr, "loading data and model for %s...\n", request.config.name.c_str());
  const RunResult result = run_interruptibly(request);
  const std::string& out = request.run_dir;
  if (result.single) {
    if (result.status != RunStatus::Failed && result.status != RunStatus::Diverged) {
      print_single(result, request.config, out);
    }
  } else {
    print_comparison(result, out);
  }
  if (result.comparison.exported_model) {
    std::printf("wrote %s/%s and %s/%s\n", out.c_str(), kExportedWeightsFile, out.c_str(), kExportedMetadataFile);
  }
  return run_exit_code(result);
}

int similarity_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--samples"});
  const std::string config_path = single_config(parsed, "similarity");
  const auto samples = parsed.get("--samples");
  SimilarityOptions options;
  if (samples) options.samples_per_domain = parse_int("--samples", *samples, 4);
  const ExperimentConfig config = load_config(config_path);
  options.seed = config.training.seed;
  if (::isatty(::fileno(stderr))) std::fprintf(stderr, "measuring %s...\n", config.name.c_str());
  const SimilarityReport report = measure_similarity(config, options);
  std::printf("%s: %s's source task against the target, %ld source / %ld target images\n", config.name.c_str(),
              config.model.pretrained.c_str(), static_cast<long>(report.source_samples),
              static_cast<long>(report.target_samples));
  // "MMD²" is five bytes in UTF-8 but four columns wide.
  std::printf("%-10s %6s %11s %18s\n", "depth", "dims", "MMD\u00b2", "proxy A-distance");
  for (const auto& d : report.depths) {
    std::printf("%-10s %6ld %10.4f %18.2f\n", d.block.c_str(), static_cast<long>(d.dims), d.mmd2, d.proxy_a_distance);
  }
  const SimilarityRecommendation& r = report.recommendation;
  std::printf("recommendation: %s similarity, strategy %s\n%s\n", similarity_name(r.similarity).c_str(),
              strategy_name(r.strategy.strategy).c_str(), r.reason.c_str());
  return 0;
}

int probe_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--layer", "--classifier", "--k", "--out"}, {"--all-blocks"});
  const std::string config_path = single_config(parsed, "probe");
  const auto layer = parsed.get("--layer");
  const bool all_blocks = parsed.get("--all-blocks").has_value();
  if (layer && all_blocks) throw UsageError{"probe takes --layer PATH or --all-blocks, not both"};
  const auto k = parsed.get("--k");
  const int64_t k_value = k ? parse_int("--k", *k, 1) : 0;
  std::optional<ProbeClassifier> classifier;
  if (const auto name = parsed.get("--classifier")) {
    try {
      classifier = probe_classifier_from_name(*name);
    } catch (const std::invalid_argument& e) {
      throw UsageError{std::string("--classifier: ") + e.what()};
    }
  }
  ExperimentConfig config = load_config(config_path);
  if (layer) config.probe.layer = *layer;
  if (all_blocks) config.probe.layer.clear();
  if (k) config.probe.k = k_value;
  if (classifier) config.probe.classifier = *classifier;
  const std::string out = parsed.get("--out").value_or((fs::path("runs") / (config.name + "-probe")).string());
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw std::runtime_error(out + ": cannot create the output directory (" + ec.message() + ")");

  ProbeControl control;
  if (::isatty(::fileno(stderr))) {
    control.on_progress = [](const ProbeProgress& p) {
      if (!p.layer.empty()) std::fprintf(stderr, "probing %s (%ld/%ld)...\n", p.layer.c_str(), static_cast<long>(p.done + 1), static_cast<long>(p.total));
    };
  }
  const ProbeReport report = run_probe(config, control);
  std::printf("%s: %s%s, %ld training / %ld test images, %s\n", config.name.c_str(), report.architecture.c_str(),
              report.pretrained.empty() ? " (random weights)" : (" from " + report.pretrained).c_str(),
              static_cast<long>(report.train_images), static_cast<long>(report.test_images),
              report.rows.size() == 1 ? "one layer" : "every block (transferability profile)");
  print_probe_table(report);
  const ProbeRow& best = report.best_row();
  std::printf("best: %s, test accuracy %.1f%% (%s)\n", best.point.layer.c_str(), 100 * best.primary_test().accuracy,
              format_duration(report.seconds).c_str());
  write_probe(report, out);
  std::printf("wrote %s/run.json and %s/probe.csv\n", out.c_str(), out.c_str());
  return 0;
}

int pretrain_command(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse_args(args, {"--out", "--epochs"});
  const std::string config_path = single_config(parsed, "pretrain");
  const auto out = parsed.get("--out");
  if (!out) throw UsageError{"pretrain needs --out FILE"};
  const auto epochs = parsed.get("--epochs");
  const int64_t epochs_value = epochs ? parse_int("--epochs", *epochs, 1) : 0;
  ExperimentConfig config = load_config(config_path);
  if (epochs) config.training.epochs = static_cast<int>(epochs_value);
  ProgressPrinter printer("pretrain");
  const Checkpoint ckpt = pretrain(config, &printer);
  save_checkpoint(ckpt, *out);
  std::printf("wrote %s: %s on %s, source test accuracy %.1f%%\n", out->c_str(), ckpt.metadata.architecture.c_str(),
              ckpt.metadata.source_task.c_str(), 100 * ckpt.metadata.source_accuracy);
  return 0;
}

}  // namespace tl::cli
