// transferlab-cli runs: the run history (core/history) from the command line.
#include "cli_commands.h"

#include "history/metrics_export.h"
#include "history/run_history.h"
#include "history/run_recording.h"
#include "train/training_events.h"
#include "util/text_format.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace tl::cli {
namespace {

/// The arguments of a runs subcommand: positionals, --name VALUE options and bare flags.
struct RunsArgs {
  std::vector<std::string> positional;
  std::optional<std::string> filter, status, csv;
  bool json = false;
};

RunsArgs parse_runs_args(const std::vector<std::string>& args) {
  RunsArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      parsed.json = true;
      continue;
    }
    std::optional<std::string>* option = a == "--filter" ? &parsed.filter
                                         : a == "--status" ? &parsed.status
                                         : a == "--csv"    ? &parsed.csv
                                                           : nullptr;
    if (!option) {
      if (a.rfind("--", 0) == 0) throw UsageError{"runs: unknown option '" + a + "'"};
      parsed.positional.push_back(a);
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError{a + " needs a value"};
    *option = args[++i];
  }
  return parsed;
}

int64_t parse_run_id(const std::string& text) {
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id >= 1) return id;
  } catch (const std::exception&) {
  }
  throw UsageError{"runs: expected a run id (a number from 'transferlab-cli runs'), got '" + text + "'"};
}

HistoryRun find_run(RunHistory& history, int64_t id) {
  auto run = history.find(id);
  if (!run) throw std::runtime_error(history.path() + ": no run with id " + std::to_string(id));
  return *run;
}

/// "2026-11-26T16:45:50Z" → "2026-11-26 16:45".
std::string short_date(const std::string& iso) {
  std::string date = iso.substr(0, 16);
  if (date.size() > 10 && date[10] == 'T') date[10] = ' ';
  return date;
}

nlohmann::json run_json(const HistoryRun& run, bool with_epochs) {
  nlohmann::json j = {{"id", run.id},
                      {"name", run.name},
                      {"created", run.created},
                      {"origin", run.origin},
                      {"model", run.model},
                      {"strategy", run.strategy},
                      {"status", run.status},
                      {"message", run.message},
                      {"val_accuracy", run.val_accuracy ? nlohmann::json(*run.val_accuracy) : nlohmann::json()},
                      {"test_accuracy", run.test_accuracy ? nlohmann::json(*run.test_accuracy) : nlohmann::json()},
                      {"verdict", run.verdict.empty() ? nlohmann::json() : run.verdict_detail},
                      {"seconds", run.seconds},
                      {"output_dir", run.output_dir},
                      {"model_file", run.model_file},
                      {"config", run.config},
                      {"sweep", run.sweep.empty() ? nlohmann::json() : nlohmann::json(run.sweep)}};
  if (with_epochs) {
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : run.epochs) epochs.push_back(epoch_event_to_json(e));
    j["epochs"] = epochs;
  }
  return j;
}

void print_table(const std::vector<HistoryRun>& runs) {
  int name_width = 4, model_width = 5, strategy_width = 8;
  for (const auto& r : runs) {
    name_width = std::max(name_width, static_cast<int>(r.name.size()));
    model_width = std::max(model_width, static_cast<int>(r.model.size()));
    strategy_width = std::max(strategy_width, static_cast<int>(r.strategy.size()));
  }
  name_width = std::min(name_width, 40);
  model_width = std::min(model_width, 32);
  std::printf("%5s  %-*s  %-16s  %-*s  %-*s  %-9s  %6s  %-12s  %8s  %s\n", "id", name_width, "name", "date",
              model_width, "model", strategy_width, "strategy", "status", "test", "verdict", "seconds", "sweep");
  for (const auto& r : runs) {
    std::printf("%5ld  %-*.*s  %-16s  %-*.*s  %-*s  %-9s  %6s  %-12s  %8.1f  %s\n", static_cast<long>(r.id),
                name_width, name_width, r.name.c_str(), short_date(r.created).c_str(), model_width, model_width,
                r.model.c_str(), strategy_width, r.strategy.c_str(), r.status.c_str(),
                format_percent(r.test_accuracy).c_str(), r.verdict.empty() ? "-" : r.verdict.c_str(), r.seconds,
                r.sweep.empty() ? "-" : r.sweep.c_str());
  }
}

int list_runs(RunHistory& history, const RunsArgs& args) {
  if (args.status) {
    const std::vector<RunStatus> all = {RunStatus::Finished, RunStatus::Cancelled, RunStatus::Failed,
                                        RunStatus::Diverged};
    std::string names;
    bool known = false;
    for (RunStatus s : all) {
      known = known || run_status_name(s) == *args.status;
      names += (names.empty() ? "" : ", ") + run_status_name(s);
    }
    if (!known) throw UsageError{"--status: expected one of " + names + ", got '" + *args.status + "'"};
  }
  const auto runs = history.list({args.filter.value_or(""), args.status.value_or("")});
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : runs) list.push_back(run_json(r, false));
    std::printf("%s\n", list.dump(2).c_str());
  } else if (runs.empty()) {
    std::printf("no runs%s in %s\n", args.filter || args.status ? " match" : " yet", history.path().c_str());
  } else {
    print_table(runs);
  }
  return 0;
}

int show_run(RunHistory& history, const RunsArgs& args) {
  if (args.positional.size() != 2) throw UsageError{"runs show takes exactly one run ID"};
  const HistoryRun run = find_run(history, parse_run_id(args.positional[1]));
  if (args.json) {
    std::printf("%s\n", run_json(run, true).dump(2).c_str());
    return 0;
  }
  std::printf("run %ld: %s\n", static_cast<long>(run.id), run.name.c_str());
  std::printf("  created        %s (%s)\n", run.created.c_str(), run.origin.c_str());
  std::printf("  model          %s, %s\n", run.model.c_str(), run.strategy.c_str());
  std::printf("  status         %s%s%s\n", run.status.c_str(), run.message.empty() ? "" : ": ", run.message.c_str());
  std::printf("  accuracy       validation %s, test %s\n", format_percent(run.val_accuracy).c_str(),
              format_percent(run.test_accuracy).c_str());
  if (!run.verdict.empty()) std::printf("  verdict        %s\n", run.verdict_detail.dump().c_str());
  std::printf("  training time  %.1f s\n", run.seconds);
  std::printf("  output         %s\n", run.output_dir.c_str());
  if (!run.sweep.empty()) std::printf("  sweep          %s\n", run.sweep.c_str());
  if (!run.model_file.empty()) std::printf("  model file     %s\n", run.model_file.c_str());
  std::printf("%5s %10s %10s %10s %10s %8s\n", "epoch", "train loss", "train acc", "val loss", "val acc", "seconds");
  for (const auto& e : run.epochs) {
    std::printf("%5d %10.4f %9.1f%% %10.4f %9.1f%% %8.1f\n", e.epoch, e.train_loss, 100 * e.train_accuracy,
                e.val_loss, 100 * e.val_accuracy, e.seconds);
  }
  return 0;
}

int export_runs(RunHistory& history, const RunsArgs& args) {
  if (args.positional.size() < 2 || !args.csv) throw UsageError{"runs export needs ID... --csv FILE"};
  std::vector<HistoryRun> runs;
  for (size_t i = 1; i < args.positional.size(); ++i) {
    runs.push_back(find_run(history, parse_run_id(args.positional[i])));
  }
  write_epochs_csv(runs, *args.csv);
  size_t rows = 0;
  for (const auto& r : runs) rows += r.epochs.size();
  std::printf("wrote %s (%zu run(s), %zu epoch rows)\n", args.csv->c_str(), runs.size(), rows);
  return 0;
}

int rename_run(RunHistory& history, const RunsArgs& args) {
  if (args.positional.size() != 3) throw UsageError{"runs rename takes ID NAME"};
  const int64_t id = parse_run_id(args.positional[1]);
  const std::string& name = args.positional[2];
  if (name.empty()) throw UsageError{"runs rename: the new name is empty"};
  if (!history.rename(id, name)) find_run(history, id);  // throws naming the id
  std::printf("run %ld renamed to %s\n", static_cast<long>(id), name.c_str());
  return 0;
}

int delete_run(RunHistory& history, const RunsArgs& args) {
  if (args.positional.size() != 2) throw UsageError{"runs delete takes exactly one run ID"};
  const int64_t id = parse_run_id(args.positional[1]);
  if (!history.remove(id)) find_run(history, id);
  std::printf("run %ld deleted from the history (its output directory is kept)\n", static_cast<long>(id));
  return 0;
}

}  // namespace

int runs_command(const std::vector<std::string>& args) {
  const RunsArgs parsed = parse_runs_args(args);
  const std::string action = parsed.positional.empty() ? "list" : parsed.positional.front();
  if (action != "list" && action != "show" && action != "export" && action != "rename" && action != "delete") {
    throw UsageError{"runs: unknown action '" + action + "' (expected list, show, export, rename or delete)"};
  }
  if (action == "list" && parsed.positional.size() > 1) throw UsageError{"runs list takes no ID"};
  RunHistory history(default_history_path());
  if (action == "show") return show_run(history, parsed);
  if (action == "export") return export_runs(history, parsed);
  if (action == "rename") return rename_run(history, parsed);
  if (action == "delete") return delete_run(history, parsed);
  return list_runs(history, parsed);
}

}  // namespace tl::cli
