#pragma once

// Torch-free on purpose (Q_OBJECT): the probe itself runs in the .cpp.

#include <QGroupBox>
#include <QString>
#include <QVector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace tl {

class BackgroundTask;
class ExperimentSession;
class TaskProgressBar;

/// One row of a probe as the GUI shows it (a torch-free copy of tl::ProbeRow).
/// Accuracies are in [0, 1]; −1 where that classifier did not run.
struct ProbeTableRow {
  QString layer;
  QString block;
  QString type;
  qint64 features = 0;
  double logisticTrain = -1.0;
  double logisticTest = -1.0;
  double knnTest = -1.0;
};

/// Intermediate representations: fits logistic regression and k-nearest
/// neighbours on the activations of one layer of the session's model (the
/// tree's "Probe this layer") or of every block (the transferability
/// profile), with the session's target task. Runs core's run_probe on a
/// BackgroundTask while the window stays usable (with its progress and a
/// Cancel; Esc inside the panel cancels too), shows the table, and saves
/// run.json and probe.csv to a run directory like any other run.
class ProbePanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit ProbePanel(ExperimentSession* session, QWidget* parent = nullptr);
  ~ProbePanel() override;  ///< stops a running probe between two batches and waits for it

  bool isProbing() const;
  TaskProgressBar* progress() const { return progress_; }
  QVector<ProbeTableRow> rows() const { return rows_; }
  QTableWidget* table() const { return table_; }
  QPushButton* profileButton() const { return profile_; }
  QString statusText() const;
  /// Directory of the last probe's run.json; empty before the first.
  QString lastRunDir() const { return lastRunDir_; }

  /// Where run directories are created; default AppDataLocation/runs.
  void setRunsDirectory(const QString& directory) { runsDirectory_ = directory; }
  /// Test images per class for the probe (0 = the config's); fewer make tests quick.
  void setTestPerClass(int images) { testPerClass_ = images; }

 public Q_SLOTS:
  /// Probes one layer path (or block name); false while a probe runs.
  bool probeLayer(const QString& layer);
  /// Probes the input and every block; false while a probe runs.
  bool probeProfile();
  /// Cancels a running probe: the panel is idle at once, nothing is saved.
  void cancel();

 Q_SIGNALS:
  void probed();
  void failed(const QString& message);
  void cancelled();

 private:
  bool start(const QString& layer);
  void buildWidgets();
  void setBusy(bool busy);
  void showRows(const QVector<ProbeTableRow>& rows, const QString& runDir, double seconds);
  void showFailure(const QString& message);
  void showCancelled();

  ExperimentSession* session_;
  BackgroundTask* task_;
  QVector<ProbeTableRow> rows_;
  QString runsDirectory_;
  QString lastRunDir_;
  int testPerClass_ = 0;
  QPushButton* profile_ = nullptr;
  TaskProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QTableWidget* table_ = nullptr;
};

}  // namespace tl
