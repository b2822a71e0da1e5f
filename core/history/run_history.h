#pragma once

#include "history/sqlite_database.h"
#include "train/training_events.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// One row of the run history: a run of the GUI or of `transferlab-cli run`.
struct HistoryRun {
  int64_t id = 0;                 ///< set by RunHistory::add
  std::string name;               ///< the config's name; the user may rename it
  std::string created;            ///< ISO 8601 UTC; add() fills it in when empty
  std::string origin;             ///< "cli" or "gui"
  std::string model;              ///< architecture or pretrained checkpoint
  std::string strategy;           ///< e.g. "partial_fine_tuning"
  std::string status;             ///< run_status_name: "finished", "cancelled", "failed", "diverged"
  std::string message;            ///< why it failed or stopped; empty otherwise
  std::optional<double> val_accuracy;   ///< [0, 1]; absent when no epoch ended
  std::optional<double> test_accuracy;  ///< [0, 1]; mean over seeds for a comparison; absent when not evaluated
  std::string verdict;            ///< "positive", "negative", "inconclusive"; empty without a twin
  nlohmann::json verdict_detail;  ///< the verdict section of run.json (gap, std, seeds, …); null without
  double seconds = 0.0;           ///< training time of every job of the run, pauses excluded
  std::string output_dir;         ///< where run.json and metrics.csv are
  std::string model_file;         ///< the model or checkpoint file the run left there; empty when none
  nlohmann::json config;          ///< the resolved ExperimentConfig, as config_to_json writes it
  /// The sweep this run was a trial of: its directory (sweep.json); empty
  /// (NULL in the database) for a run of its own.
  std::string sweep;
  /// The curves of the Runs view and the CSV export (the DANN fields are not
  /// kept); filled by find() and add(); list() leaves it empty.
  std::vector<EpochEvent> epochs;
};

/// What list() returns. Empty fields do not filter.
struct HistoryFilter {
  std::string text;    ///< case-insensitive substring of name, model, strategy, verdict, output directory or sweep
  std::string status;  ///< exact status
};

/// The schema version this build writes (PRAGMA user_version).
constexpr int kHistorySchemaVersion = 3;

/// The run history, an SQLite database (WAL mode, so the GUI and the CLI can
/// read and write it at once). Opening creates the file and its directory and
/// migrates an older schema in order, keeping its rows. Every method throws
/// SqliteError naming the file on failure: a missing directory that cannot
/// be created, a file that is not a database, a schema newer than this build.
class RunHistory {
 public:
  explicit RunHistory(const std::string& path);

  const std::string& path() const { return db_.path(); }
  int schema_version();

  /// Inserts the run with its epochs in one transaction; returns its id.
  int64_t add(const HistoryRun& run);
  /// Newest first, without epochs.
  std::vector<HistoryRun> list(const HistoryFilter& filter = {});
  /// The run with its epochs, or nothing when no run has this id.
  std::optional<HistoryRun> find(int64_t id);
  std::vector<EpochEvent> epochs(int64_t id);
  /// False when no run has this id.
  bool rename(int64_t id, const std::string& name);
  /// Deletes the run and its epochs (not its output directory); false when no run has this id.
  bool remove(int64_t id);

 private:
  void migrate();
  SqliteDatabase db_;
};

/// Where the history lives: $TRANSFERLAB_DATA_DIR when set (tests point it at
/// a temporary directory), else $XDG_DATA_HOME/transferlab, else
/// ~/.local/share/transferlab. Throws std::runtime_error when none of
/// TRANSFERLAB_DATA_DIR, XDG_DATA_HOME and HOME is set.
std::string history_data_directory();
/// history_data_directory()/runs.sqlite
std::string default_history_path();

}  // namespace tl
