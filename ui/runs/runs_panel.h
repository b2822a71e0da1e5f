#pragma once

#include <QList>
#include <QString>
#include <QWidget>

class QAction;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace tl {

class RunsTableModel;

/// The Runs view: every recorded run (GUI and CLI) in a sortable, filterable
/// table; the selected runs' curves overlaid on one plot (one graph per run,
/// the metric chosen above the plot); rename in the Name cell, delete (Del,
/// after a confirmation), re-run, analyse, and export of the selected runs'
/// epochs as CSV and of the plot as PNG or PDF.
class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  /// The metric overlaid on the plot.
  enum class Metric { ValidationAccuracy, ValidationLoss, TrainingAccuracy, TrainingLoss };

  /// Lists the history at default_history_path().
  explicit RunsPanel(QWidget* parent = nullptr);

  void setHistoryPath(const QString& path);
  QString historyPath() const;
  RunsTableModel* model() const { return model_; }
  QTableView* view() const { return view_; }
  QCustomPlot* plot() const { return plot_; }
  QLineEdit* filterEdit() const { return filter_; }
  QAction* deleteAction() const { return deleteAction_; }
  QAction* rerunAction() const { return rerunAction_; }
  /// Analyse: asks for the selected run's analysis (analysisRequested).
  QAction* analyseAction() const { return analyseAction_; }
  /// The history's error, or empty while it is readable.
  QString errorText() const;

  /// Ids of the selected runs, in table order.
  QList<qint64> selectedRunIds() const;
  void selectRuns(const QList<qint64>& ids);
  void setMetric(Metric metric);
  Metric metric() const;

  /// Whether Delete asks first (off in tests and batch use).
  void setConfirmDeletes(bool confirm) { confirmDeletes_ = confirm; }
  /// Deletes the selected runs from the history (after a confirmation when
  /// enabled); returns how many went.
  int deleteSelected();
  /// Writes the selected runs' epochs, one row per run × epoch. False and a
  /// message on failure or when nothing is selected.
  bool exportCsv(const QString& path, QString* error = nullptr);
  bool exportPng(const QString& path);
  bool exportPdf(const QString& path);

 public Q_SLOTS:
  /// Reads the history again, keeping the selection; after a run ends.
  void refresh();

 Q_SIGNALS:
  /// Re-run: the selected run's config (JSON text), its name, and how it was
  /// repeated (seeds; with its twin), read from its run.json.
  void rerunRequested(const QString& configJson, const QString& name, int seeds, bool twin);
  /// Analyse: the selected run's folder, to open in the Analysis view.
  void analysisRequested(const QString& runDir);
  /// One line for the status bar (exports, deletions, errors).
  void message(const QString& text);

 private:
  void buildActions();
  void updateOverlay();
  void updateActions();
  void showError();
  void requestRerun();
  void requestAnalysis();
  void exportCsvWithDialog();
  void exportPlotWithDialog(bool pdf);

  RunsTableModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* view_;
  QLineEdit* filter_;
  QComboBox* metricBox_;
  QCustomPlot* plot_;
  QLabel* error_;
  QAction* rerunAction_ = nullptr;
  QAction* analyseAction_ = nullptr;
  QAction* renameAction_ = nullptr;
  QAction* deleteAction_ = nullptr;
  QAction* exportCsvAction_ = nullptr;
  QAction* exportPngAction_ = nullptr;
  QAction* exportPdfAction_ = nullptr;
  bool confirmDeletes_ = true;
};

}  // namespace tl
