// transferlab-cli: the headless front end. Every command builds the same
// ExperimentConfig the GUI builds and calls the same core.
#include "cli_commands.h"
#include "train/cpu_threads.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

const char* kUsage =
    "usage: transferlab-cli COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  models                               list the built-in pretrained checkpoints\n"
    "  presets                              list the teaching presets and their measured outcomes\n"
    "  layers --model NAME|FILE             print a model's layer tree (NAME: a built-in model\n"
    "                                       or an untrained architecture, e.g. resnet18)\n"
    "  import FILE.pt|FILE.safetensors --arch NAME --out FILE.safetensors [--partial]\n"
    "                                       import a TorchScript export of a torchvision model\n"
    "                                       (tools/export-torchvision.py) or a safetensors\n"
    "                                       state dict as a checkpoint\n"
    "  run CONFIG.json [--epochs N] [--seed S] [--out DIR] [--seeds K] [--twin]\n"
    "                                       run one transfer experiment; writes DIR/run.json\n"
    "                                       and DIR/metrics.csv (DIR defaults to runs/NAME);\n"
    "                                       --twin also trains a from-scratch twin (for DANN:\n"
    "                                       a source-only twin) and prints the verdict,\n"
    "                                       --seeds K repeats both over K seeds\n"
    "                                       (a run also keeps DIR/config.json, a checkpoint after\n"
    "                                       every epoch, DIR/checkpoint.safetensors, and its event\n"
    "                                       log, DIR/events.jsonl)\n"
    "  run --resume DIR                     continue a stopped or killed run from its last\n"
    "                                       checkpoint; it ends as an uninterrupted run would\n"
    "  sweep CONFIG.json [--out DIR] [--seeds K] [--threads N] [--resume]\n"
    "                                       run the trials of the config's \"sweep\" section (axes\n"
    "                                       such as frozen_depth, learning_rate, strategy), each\n"
    "                                       over K seeds against scratch twins shared between\n"
    "                                       trials; prints a row per trial, writes DIR/sweep.json,\n"
    "                                       DIR/sweep.csv and DIR/trial-NNN (DIR defaults to\n"
    "                                       runs/NAME-sweep); --resume continues a stopped sweep\n"
    "  runs [list] [--filter TEXT] [--status S] [--json]\n"
    "                                       list the run history (every run of the GUI and of\n"
    "                                       'run'; S: finished, cancelled, failed, diverged)\n"
    "  runs show ID [--json] | runs export ID... --csv FILE | runs rename ID NAME | runs delete ID\n"
    "                                       one run's details and epochs; the epochs of runs as\n"
    "                                       CSV; rename; remove from the history (files stay).\n"
    "                                       The history is TRANSFERLAB_DATA_DIR/runs.sqlite,\n"
    "                                       else $XDG_DATA_HOME/transferlab (~/.local/share)\n"
    "  similarity CONFIG.json [--samples N] measure how far the target is from the pretrained\n"
    "                                       model's source task and recommend a strategy\n"
    "  pretrain CONFIG.json --out FILE      train a model on the config's source task and\n"
    "                                       save it as a checkpoint\n"
    "  probe CONFIG.json [--layer PATH | --all-blocks] [--classifier NAME] [--k N] [--out DIR]\n"
    "                                       fit logistic regression and k-nearest neighbours\n"
    "                                       on a layer's activations (--all-blocks: every block,\n"
    "                                       the transferability profile); NAME is\n"
    "                                       logistic_regression, knn or both; writes\n"
    "                                       DIR/run.json and DIR/probe.csv\n"
    "  predict --model NAME|FILE [--arch NAME] [--top K] [--logits] IMAGE...\n"
    "                                       classify PNG/JPEG/BMP images with a checkpoint or a\n"
    "                                       run's model.safetensors (--arch for a TorchScript or\n"
    "                                       plain safetensors torchvision export); prints the top\n"
    "                                       K classes (default 5), or with --logits JSON with\n"
    "                                       the raw logits\n"
    "  analyze RUN_DIR [--layer PATH] [--samples N] [--top K] [--seed S]\n"
    "                                       why a finished run did as it did: confusion matrix\n"
    "                                       (and its twin's), per-class gaps, most confused pairs,\n"
    "                                       the K test images with the highest loss (default 9),\n"
    "                                       and PCA and t-SNE maps of N source and N target\n"
    "                                       images (default 1000) at a layer (default: the last\n"
    "                                       block) with MMD and proxy A-distance; writes\n"
    "                                       RUN_DIR/analysis/\n";

}  // namespace

int main(int argc, char** argv) {
  tl::configure_cpu_threads();  // OpenBLAS beside LibTorch's threads; the trainer applies it per thread too
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "models") return tl::cli::models_command(args);
    if (command == "presets") return tl::cli::presets_command(args);
    if (command == "layers") return tl::cli::layers_command(args);
    if (command == "import") return tl::cli::import_command(args);
    if (command == "run") return tl::cli::run_command(args);
    if (command == "runs") return tl::cli::runs_command(args);
    if (command == "sweep") return tl::cli::sweep_command(args);
    if (command == "pretrain") return tl::cli::pretrain_command(args);
    if (command == "similarity") return tl::cli::similarity_command(args);
    if (command == "probe") return tl::cli::probe_command(args);
    if (command == "predict") return tl::cli::predict_command(args);
    if (command == "analyze") return tl::cli::analyze_command(args);
    throw tl::cli::UsageError{"unknown command '" + command + "'"};
  } catch (const tl::cli::UsageError& e) {
    std::fprintf(stderr, "transferlab-cli: %s\n\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "transferlab-cli: %s\n", e.what());
    return 1;
  }
}
