#include "cli_commands.h"

#include "experiment/baseline.h"
#include "experiment/comparison_record.h"
#include "experiment/experiment.h"
#include "experiment/model_export.h"
#include "experiment/presets.h"
#include "experiment/run_resume.h"
#include "experiment/similarity_meter.h"
#include "probe/probe_run.h"
#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "cli_runs.h"
#include "progress_printer.h"
#include "weights/checkpoint.h"
#include "weights/checkpoint_import.h"
#include "weights/pretrained_catalog.h"
#include "weights/safetensors.h"
#include "weights/weight_import.h"
#include "util/text_format.h"
#include "util/utc_time.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;

namespace tl::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void on_interrupt(int) { g_interrupted = true; }

/// Options of the form --name VALUE (or a bare --flag) after the positional arguments.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;

  std::optional<std::string> get(const std::string& name) const {
    const auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
};

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<std::string>& known,
                      const std::vector<std::string>& flags = {}) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      parsed.positional.push_back(a);
      continue;
    }
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      parsed.options[a] = "";
      continue;
    }
    if (std::find(known.begin(), known.end(), a) == known.end()) throw UsageError{"unknown option '" + a + "'"};
    if (i + 1 >= args.size()) throw UsageError{a + " needs a value"};
    parsed.options[a] = args[++i];
  }
  return parsed;
}

int64_t parse_int(const std::string& option, const std::string& text, int64_t min) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= min) return v;
  } catch (const std::exception&) {
  }
  throw UsageError{option + ": expected an integer >= " + std::to_string(min) + ", got '" + text + "'"};
}

std::string single_config(const ParsedArgs& parsed, const char* command) {
  if (parsed.positional.size() != 1) throw UsageError{std::string(command) + " takes exactly one CONFIG.json"};
  return parsed.positional[0];
}

/// Runs a trainer while forwarding Ctrl-C as a clean cancel.
TrainingOutcome train_interruptibly(TrainingJob job, TrainingListener* listener) {
  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_interrupt);
  Trainer trainer(std::move(job), listener);
  trainer.start();
  while (trainer.running()) {
    if (g_interrupted.exchange(false)) trainer.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::signal(SIGINT, previous);
  return trainer.wait();
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

/// `run --seeds K` / `run --twin`: the transfer run and its twin (scratch, or
/// source-only for DANN) for each seed, then the verdict. run.json is the
/// first seed's transfer run with the summary sections; its twin goes to DIR/twin.
int run_with_twins(const ExperimentConfig& config, const std::string& out, int64_t seeds) {
  twin_config(config);  // a config without a pretrained model fails here, before any training
  const TrainFunction train = [](TrainingJob job, const std::string& label) {
    ProgressPrinter printer(label);
    return train_interruptibly(std::move(job), &printer);
  };
  const Comparison comparison = run_comparison(config, seeds, /*twin=*/true, train);
  const bool first_twin = write_comparison(comparison, out);  // the GUI writes its comparisons the same way
  record_cli_run(comparison, out);
  for (const auto& s : comparison.runs) std::printf("%s\n", seed_line(s, comparison.twin).c_str());
  if (comparison.verdict) std::printf("verdict: %s\n", comparison.verdict->sentence().c_str());
  std::printf("wrote %s/run.json and metrics.csv%s\n", out.c_str(), first_twin ? (" (its " + twin_name(comparison.twin) + ": twin/)").c_str() : "");
  if (comparison.exported_model) {
    std::printf("wrote %s/%s and %s/%s\n", out.c_str(), kExportedWeightsFile, out.c_str(), kExportedMetadataFile);
  }
  const SeedRuns& last = comparison.runs.back();
  for (const RunRecord* r : {&last.transfer, last.baseline ? &*last.baseline : nullptr}) {
    if (r && r->status == RunStatus::Failed) {
      std::fprintf(stderr, "transferlab-cli: training failed: %s\n", r->message.c_str());
      return 1;
    }
  }
  return comparison.verdict ? 0 : 130;
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

namespace {

bool is_architecture(const std::string& name) {
  const auto names = architecture_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

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
  const std::string config_path = resume ? run_config_path(*resume) : single_config(parsed, "run");
  const auto epochs = parsed.get("--epochs");
  const auto seed = parsed.get("--seed");
  const auto seeds = parsed.get("--seeds");
  // Check the flags before the (slower) config and data.
  const int64_t epochs_value = epochs ? parse_int("--epochs", *epochs, 1) : 0;
  const int64_t seed_value = seed ? parse_int("--seed", *seed, 0) : 0;
  const int64_t seeds_value = seeds ? parse_int("--seeds", *seeds, 1) : 1;
  ExperimentConfig config = load_config(config_path);
  if (epochs) config.training.epochs = static_cast<int>(epochs_value);
  if (seed) config.training.seed = config.target.seed = static_cast<uint64_t>(seed_value);
  const std::string out = resume ? *resume : parsed.get("--out").value_or((fs::path("runs") / config.name).string());
  // Fail on an unwritable output directory before spending minutes training.
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw std::runtime_error(out + ": cannot create the output directory (" + ec.message() + ")");
  if (seeds || parsed.get("--twin")) return run_with_twins(config, out, seeds_value);

  if (::isatty(::fileno(stderr))) std::fprintf(stderr, "loading data and model for %s...\n", config.name.c_str());
  PreparedExperiment prepared = prepare_experiment(config);
  std::fprintf(stderr, "%s: %s, %ld training / %ld validation / %ld test images, strategy %s\n",
               config.name.c_str(), prepared.model->architecture().c_str(),
               static_cast<long>(prepared.data.train.size()), static_cast<long>(prepared.data.validation.size()),
               static_cast<long>(prepared.data.test.size()),
               strategy_name(prepared.config.resolved_strategy().strategy).c_str());
  if (!resume) write_run_config(config, out);
  // Checkpoints and the event log go to `out`, so a killed run can continue.
  TrainingJob job = make_training_job(prepared);
  job.run_dir = out;
  job.resume = resume.has_value();
  ProgressPrinter printer("train");
  const TrainingOutcome outcome = train_interruptibly(std::move(job), &printer);
  const RunRecord record = make_run_record(prepared, outcome);
  write_run(record, out);
  if (outcome.status == RunStatus::Failed || outcome.status == RunStatus::Diverged) {
    std::fprintf(stderr, "transferlab-cli: training %s: %s\n", run_status_name(outcome.status).c_str(),
                 outcome.message.c_str());
    record_cli_run(record, out);
    return 1;
  }
  std::printf("%s: %s after %zu epochs, validation accuracy %.1f%%, test accuracy %.1f%% (%s)\n",
              config.name.c_str(), run_status_name(outcome.status).c_str(), outcome.epochs.size(),
              100 * record.val_accuracy, 100 * record.test_accuracy, format_duration(outcome.seconds).c_str());
  std::printf("wrote %s/run.json and %s/metrics.csv\n", out.c_str(), out.c_str());
  if (outcome.status == RunStatus::Finished && can_export_model(prepared)) {
    write_model_export(export_model(prepared, *outcome.model, record), out);
    std::printf("wrote %s/%s and %s/%s\n", out.c_str(), kExportedWeightsFile, out.c_str(), kExportedMetadataFile);
  }
  record_cli_run(record, out);  // after the model export, so the history names its file
  return outcome.status == RunStatus::Finished ? 0 : 130;
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
