#pragma once

#include "sweep/sweep_table.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace tl {

/// A sweep's finished trials as a table: the trial number, one column per
/// axis, then test accuracy (mean ± std over seeds), the twin's mean, the gain
/// in points and the training time. Filled again as trials finish (setTable).
class SweepTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  /// The columns after the axes' ones.
  enum Metric { Accuracy, TwinAccuracy, Gain, Seconds, Status, MetricCount };
  /// Any column: the row's position in table().trials.
  static constexpr int TrialRole = Qt::UserRole;
  /// The value to sort by: numbers as numbers (accuracy by its mean).
  static constexpr int SortRole = Qt::UserRole + 1;

  explicit SweepTableModel(QObject* parent = nullptr);

  void setTable(const SweepTable& table);
  const SweepTable& table() const { return table_; }
  /// The trial shown in `row`; null outside the table.
  const TrialResult* trialAt(int row) const;

  int axisColumn(int axis) const { return 1 + axis; }
  int metricColumn(Metric metric) const { return 1 + static_cast<int>(table_.axes.size()) + metric; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVariant metricData(const TrialResult& trial, Metric metric, int role) const;

  SweepTable table_;
};

/// The table as the view shows it: sorted by SortRole, filtered by a text
/// that any column may contain (case-insensitive).
class SweepTrialFilter : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit SweepTrialFilter(QObject* parent = nullptr);
};

}  // namespace tl
