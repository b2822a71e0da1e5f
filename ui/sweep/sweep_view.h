#pragma once

#include <QByteArray>
#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace tl {

class SweepHeatMap;
class SweepRunner;
class SweepTableModel;
class SweepTrialFilter;
class TransferabilityPlot;
struct SweepTable;
struct TrialResult;

/// The Sweep tab: a sweep's trials as a sortable, filterable table beside
/// its transferability curve (or, for two axes, a heat map), filled as the
/// trials finish; progress and Cancel (or Esc) while it runs, Resume for a
/// stopped one, and "Apply this trial" (or a double-click on a row) to set the
/// window up as that trial. Without a sweep it says how to start one. The
/// last sweep folder shown is remembered in QSettings.
class SweepView : public QWidget {
  Q_OBJECT

 public:
  explicit SweepView(QWidget* parent = nullptr);
  ~SweepView() override;

  SweepRunner* runner() const { return runner_; }
  /// Runs a sweep (a config with its "sweep" section) into `dir` and shows it as it fills.
  bool startSweep(const QByteArray& configJson, const QString& dir);
  /// Shows DIR/sweep.json; false with *error naming the file when it cannot be read.
  bool openSweep(const QString& dir, QString* error = nullptr);
  /// The folder shown before the last restart, when it still holds a sweep.
  bool reopenLastSweep();
  /// Continues the sweep shown (it stopped before its end) with its own config and spec.
  bool resumeSweep();
  /// The folder shown; empty before any.
  QString directory() const { return directory_; }
  /// Whether the sweep shown stopped before every trial finished.
  bool canResume() const;

  /// The config of the trial in the table's (sorted, filtered) row: its run's
  /// config.json, else the sweep's base config with the trial's values.
  /// Empty with *error when neither can be read.
  QByteArray trialConfigJson(int row, QString* error = nullptr) const;
  /// Asks the window to load the selected trial's config (applyRequested).
  void applySelectedTrial();

  SweepTableModel* model() const { return model_; }
  SweepTrialFilter* filter() const { return filter_; }
  QTableView* tableView() const { return table_; }
  QLineEdit* filterEdit() const { return filterEdit_; }
  TransferabilityPlot* curve() const { return curve_; }
  SweepHeatMap* heatMap() const { return heatMap_; }
  /// "Curve" / "Heat map": shown when a sweep has both.
  QComboBox* plotSwitch() const { return plotSwitch_; }
  QPushButton* applyButton() const { return apply_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return progress_; }
  /// The empty state is shown (no sweep yet).
  bool showsEmptyState() const;
  QString emptyText() const;

 Q_SIGNALS:
  /// "Apply this trial": the window loads `configJson` into the session.
  void applyRequested(const QByteArray& configJson, const QString& trialLabel);
  /// A line for the status bar.
  void message(const QString& text);
  /// A sweep could not start or run (bad config, folder with another sweep).
  void failed(const QString& message);

 protected:
  void keyPressEvent(QKeyEvent* event) override;

 private:
  QWidget* buildHeader();
  QWidget* buildTablePane();
  QWidget* buildPlotPane();
  void connectRunner();
  void showTable(const SweepTable& table);
  void showPlots(const SweepTable& table);
  void updateHeader();
  void rememberFolder(const QString& dir);
  const TrialResult* selectedTrial() const;

  SweepRunner* runner_;
  SweepTableModel* model_;
  SweepTrialFilter* filter_;
  QString directory_;
  QStackedWidget* pages_ = nullptr;  ///< empty state | the sweep
  QLabel* empty_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* resume_ = nullptr;
  QLineEdit* filterEdit_ = nullptr;
  QTableView* table_ = nullptr;
  QPushButton* apply_ = nullptr;
  QComboBox* plotSwitch_ = nullptr;
  QStackedWidget* plots_ = nullptr;
  TransferabilityPlot* curve_ = nullptr;
  SweepHeatMap* heatMap_ = nullptr;
};

}  // namespace tl
