#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace tl {

/// A failed SQLite call: what() names the database file, what was being done
/// and SQLite's own message, e.g.
/// "/home/a/.local/share/transferlab/runs.sqlite: reading the schema version: file is not a database".
class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One open connection (owns the sqlite3*). Opening creates the file; the
/// connection waits up to `busy_timeout_ms` for another writer (another
/// process or connection) instead of failing at once.
class SqliteDatabase {
 public:
  explicit SqliteDatabase(const std::string& path, int busy_timeout_ms = 5000);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  /// Runs SQL without parameters (schema statements, pragmas); several
  /// statements separated by ';' are run in order. Rows are discarded.
  void execute(const std::string& sql, const std::string& what);
  /// The rowid of the last INSERT on this connection.
  int64_t last_insert_id() const;
  /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int changes() const;
  /// Throws SqliteError "<path>: <what>: <sqlite3_errmsg>".
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

/// A prepared statement (owns the sqlite3_stmt*). Values only ever enter SQL
/// through bind(); indices count from 1 as in SQLite.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDatabase& db, const std::string& sql, std::string what);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, const std::string& value);
  SqliteStatement& bind(int index, const std::optional<double>& value);  ///< NULL when empty

  /// Advances: true while a row is available, false when done. Throws on error.
  bool step();
  /// Steps a statement that returns no rows.
  void run();
  /// Clears bindings and rewinds, to run the statement again.
  void reset();

  int64_t column_int(int index) const;
  double column_double(int index) const;
  std::optional<double> column_optional_double(int index) const;
  std::string column_text(int index) const;

 private:
  SqliteDatabase& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

/// BEGIN IMMEDIATE … COMMIT; rolls back unless commit() was called. IMMEDIATE
/// takes the write lock at the start, so a second writer waits in the busy
/// timeout instead of failing when it upgrades a read transaction.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  void commit();

 private:
  SqliteDatabase& db_;
  bool done_ = false;
};

}  // namespace tl
