#include "history/run_history.h"
#include "util/bounded_json.h"
#include "util/utc_time.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

/// Schema migrations, in order: migration i brings user_version from i to
/// i + 1. Never edit a released step; append a new one instead.
const char* const kMigrations[] = {
    // 0 → 1: runs and their per-epoch metrics.
    R"sql(
    CREATE TABLE runs(
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      created TEXT NOT NULL,
      status TEXT NOT NULL,
      config TEXT NOT NULL,
      output_dir TEXT NOT NULL DEFAULT '',
      test_accuracy REAL,
      seconds REAL NOT NULL DEFAULT 0);
    CREATE TABLE epochs(
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      train_loss REAL NOT NULL,
      train_accuracy REAL NOT NULL,
      val_loss REAL NOT NULL,
      val_accuracy REAL NOT NULL,
      seconds REAL NOT NULL,
      PRIMARY KEY(run_id, epoch));
    )sql",
    // 1 → 2: what the list shows without parsing every config (model,
    // strategy), the twin's verdict, the produced model file and where the
    // run came from. Model and strategy of older rows come from their config.
    R"sql(
    ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN model TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN strategy TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN message TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN val_accuracy REAL;
    ALTER TABLE runs ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN verdict_detail TEXT NOT NULL DEFAULT 'null';
    ALTER TABLE runs ADD COLUMN model_file TEXT NOT NULL DEFAULT '';
    UPDATE runs SET
      model = COALESCE(NULLIF(json_extract(config, '$.model.pretrained'), ''),
                       json_extract(config, '$.model.architecture'), ''),
      strategy = COALESCE(json_extract(config, '$.transfer.strategy'), '')
      WHERE json_valid(config);
    CREATE INDEX runs_created ON runs(created);
    )sql",
    // 2 → 3: the sweep a run was a trial of (its directory); NULL for a run of its own.
    R"sql(
    ALTER TABLE runs ADD COLUMN sweep TEXT;
    CREATE INDEX runs_sweep ON runs(sweep);
    )sql",
};
static_assert(sizeof kMigrations / sizeof *kMigrations == kHistorySchemaVersion,
              "one migration per schema version");

constexpr const char* kRunColumns =
    "id, name, created, origin, model, strategy, status, message, val_accuracy, test_accuracy, verdict, "
    "verdict_detail, seconds, output_dir, model_file, config, sweep";

/// A stored JSON text; a row edited by hand into invalid JSON reads as null
/// rather than making the whole history unreadable.
nlohmann::json parse_stored_json(const std::string& text) {
  return parse_bounded_json_or_null(text);
}

HistoryRun read_run(const SqliteStatement& row) {
  HistoryRun run;
  run.id = row.column_int(0);
  run.name = row.column_text(1);
  run.created = row.column_text(2);
  run.origin = row.column_text(3);
  run.model = row.column_text(4);
  run.strategy = row.column_text(5);
  run.status = row.column_text(6);
  run.message = row.column_text(7);
  run.val_accuracy = row.column_optional_double(8);
  run.test_accuracy = row.column_optional_double(9);
  run.verdict = row.column_text(10);
  run.verdict_detail = parse_stored_json(row.column_text(11));
  if (run.verdict_detail.is_discarded()) run.verdict_detail = nullptr;
  run.seconds = row.column_double(12);
  run.output_dir = row.column_text(13);
  run.model_file = row.column_text(14);
  run.config = parse_stored_json(row.column_text(15));
  if (run.config.is_discarded()) run.config = nullptr;
  run.sweep = row.column_text(16);
  return run;
}

std::string directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

/// Opening a database creates the file but not its directory.
const std::string& with_directory(const std::string& path) {
  std::error_code ec;
  fs::create_directories(directory_of(path), ec);
  if (ec) throw SqliteError(path + ": cannot create the directory of the run history (" + ec.message() + ")");
  return path;
}

}  // namespace

RunHistory::RunHistory(const std::string& path) : db_(with_directory(path)) {
  // WAL lets readers (the GUI's list) go on while a run is being recorded;
  // foreign keys make deleting a run delete its epochs.
  {
    // Scoped: a statement still holding a row would keep the migration from committing.
    SqliteStatement wal(db_, "PRAGMA journal_mode=WAL", "switching to WAL mode");
    if (!wal.step() || wal.column_text(0) != "wal") {
      throw SqliteError(path + ": switching to WAL mode: the database stays in '" + wal.column_text(0) + "' mode");
    }
  }
  db_.execute("PRAGMA foreign_keys=ON", "enabling foreign keys");
  migrate();
}

int RunHistory::schema_version() {
  SqliteStatement version(db_, "PRAGMA user_version", "reading the schema version");
  version.step();
  return static_cast<int>(version.column_int(0));
}

/// Runs the missing migrations in one write transaction, so two processes
/// opening an old database at once migrate it once, and a failed step leaves
/// the previous version intact.
void RunHistory::migrate() {
  if (schema_version() == kHistorySchemaVersion) return;
  SqliteTransaction transaction(db_);
  const int from = schema_version();  // again, now under the write lock
  if (from > kHistorySchemaVersion) {
    throw SqliteError(path() + ": the run history has schema version " + std::to_string(from) +
                      ", newer than this Transfer Lab understands (" + std::to_string(kHistorySchemaVersion) + ")");
  }
  for (int v = from; v < kHistorySchemaVersion; ++v) {
    db_.execute(kMigrations[v], "migrating the run history to schema version " + std::to_string(v + 1));
  }
  // PRAGMA takes no bound parameters; the value is this build's own constant.
  db_.execute("PRAGMA user_version=" + std::to_string(kHistorySchemaVersion), "setting the schema version");
  transaction.commit();
}

int64_t RunHistory::add(const HistoryRun& run) {
  SqliteTransaction transaction(db_);
  SqliteStatement insert(db_,
                         "INSERT INTO runs(name, created, origin, model, strategy, status, message, val_accuracy, "
                         "test_accuracy, verdict, verdict_detail, seconds, output_dir, model_file, config, sweep) "
                         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULLIF(?16, ''))",
                         "recording a run");
  insert.bind(1, run.name)
      .bind(2, run.created.empty() ? utc_now_iso8601() : run.created)
      .bind(3, run.origin)
      .bind(4, run.model)
      .bind(5, run.strategy)
      .bind(6, run.status)
      .bind(7, run.message)
      .bind(8, run.val_accuracy)
      .bind(9, run.test_accuracy)
      .bind(10, run.verdict)
      .bind(11, run.verdict_detail.dump())
      .bind(12, run.seconds)
      .bind(13, run.output_dir)
      .bind(14, run.model_file)
      .bind(15, run.config.dump())
      .bind(16, run.sweep);
  insert.run();
  const int64_t id = db_.last_insert_id();
  SqliteStatement epoch(db_,
                        "INSERT INTO epochs(run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, "
                        "seconds) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        "recording the epochs of a run");
  for (const EpochEvent& e : run.epochs) {
    epoch.bind(1, id)
        .bind(2, static_cast<int64_t>(e.epoch))
        .bind(3, e.train_loss)
        .bind(4, e.train_accuracy)
        .bind(5, e.val_loss)
        .bind(6, e.val_accuracy)
        .bind(7, e.seconds);
    epoch.run();
    epoch.reset();
  }
  transaction.commit();
  return id;
}

std::vector<HistoryRun> RunHistory::list(const HistoryFilter& filter) {
  // instr(lower(…)) rather than LIKE: the user's text needs no escaping of % and _.
  SqliteStatement select(db_,
                         std::string("SELECT ") + kRunColumns +
                             " FROM runs WHERE (?1 = '' OR instr(lower(name || ' ' || model || ' ' || strategy || ' "
                             "' || verdict || ' ' || output_dir || ' ' || COALESCE(sweep, '')), lower(?1)) > 0) AND (?2 = '' OR status = ?2) "
                             "ORDER BY created DESC, id DESC",
                         "listing runs");
  select.bind(1, filter.text).bind(2, filter.status);
  std::vector<HistoryRun> runs;
  while (select.step()) runs.push_back(read_run(select));
  return runs;
}

std::optional<HistoryRun> RunHistory::find(int64_t id) {
  SqliteStatement select(db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?1", "reading a run");
  select.bind(1, id);
  if (!select.step()) return std::nullopt;
  HistoryRun run = read_run(select);
  run.epochs = epochs(id);
  return run;
}

std::vector<EpochEvent> RunHistory::epochs(int64_t id) {
  SqliteStatement select(db_,
                         "SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy, seconds FROM epochs "
                         "WHERE run_id = ?1 ORDER BY epoch",
                         "reading the epochs of a run");
  select.bind(1, id);
  std::vector<EpochEvent> result;
  while (select.step()) {
    EpochEvent e;
    e.epoch = static_cast<int>(select.column_int(0));
    e.train_loss = select.column_double(1);
    e.train_accuracy = select.column_double(2);
    e.val_loss = select.column_double(3);
    e.val_accuracy = select.column_double(4);
    e.seconds = select.column_double(5);
    result.push_back(e);
  }
  return result;
}

bool RunHistory::rename(int64_t id, const std::string& name) {
  SqliteStatement update(db_, "UPDATE runs SET name = ?2 WHERE id = ?1", "renaming a run");
  update.bind(1, id).bind(2, name);
  update.run();
  return db_.changes() > 0;
}

bool RunHistory::remove(int64_t id) {
  SqliteStatement remove(db_, "DELETE FROM runs WHERE id = ?1", "deleting a run");
  remove.bind(1, id);
  remove.run();
  return db_.changes() > 0;
}

std::string history_data_directory() {
  const auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
  };
  if (const std::string dir = env("TRANSFERLAB_DATA_DIR"); !dir.empty()) return dir;
  // The XDG base directory spec: relative values are invalid and ignored.
  if (const std::string xdg = env("XDG_DATA_HOME"); !xdg.empty() && fs::path(xdg).is_absolute()) {
    return (fs::path(xdg) / "transferlab").string();
  }
  if (const std::string home = env("HOME"); !home.empty()) {
    return (fs::path(home) / ".local" / "share" / "transferlab").string();
  }
  throw std::runtime_error("no directory for the run history: set TRANSFERLAB_DATA_DIR, XDG_DATA_HOME or HOME");
}

std::string default_history_path() { return (fs::path(history_data_directory()) / "runs.sqlite").string(); }

}  // namespace tl
