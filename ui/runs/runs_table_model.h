#pragma once

#include "history/run_history.h"

#include <QAbstractTableModel>
#include <QString>

#include <memory>
#include <vector>

namespace tl {

/// The run history as a table: one row per run, newest first. The Name
/// column is editable (renames the run in the database). The model holds its
/// own connection to the history; the training thread records through
/// another one, and refresh() picks its runs up.
class RunsTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Name, Date, Model, Strategy, Status, TestAccuracy, Verdict, Seconds, ColumnCount };
  /// Qt::UserRole on any column: the run's id.
  static constexpr int IdRole = Qt::UserRole;
  /// Qt::UserRole + 1: the value to sort by (numbers as numbers, absent accuracies lowest).
  static constexpr int SortRole = Qt::UserRole + 1;

  explicit RunsTableModel(QObject* parent = nullptr);
  ~RunsTableModel() override;

  /// Opens the history at `path` and lists it. On failure the table is empty
  /// and errorText() names the file and the problem.
  void setHistoryPath(const QString& path);
  QString historyPath() const { return path_; }
  /// Reads the list again (reopening the database after an earlier error).
  void refresh();
  /// Empty while the history is readable.
  QString errorText() const { return error_; }

  const HistoryRun* runAt(int row) const;
  int rowOfId(qint64 id) const;
  /// The run's epochs from the database (empty on error).
  std::vector<EpochEvent> epochs(qint64 id);
  /// The run with its epochs and config; nothing when it is gone or on error.
  std::optional<HistoryRun> run(qint64 id);
  /// Deletes runs from the history (their output directories stay); returns how many went.
  int removeRuns(const QList<qint64>& ids);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

 Q_SIGNALS:
  /// A database error after opening (rename, delete, reading epochs).
  void errorOccurred(const QString& message);

 private:
  bool ensureOpen();
  void fail(const std::exception& e);

  QString path_;
  std::unique_ptr<RunHistory> history_;
  std::vector<HistoryRun> runs_;
  QString error_;
};

}  // namespace tl
