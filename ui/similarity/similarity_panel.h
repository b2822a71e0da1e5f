#pragma once

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

/// The domain similarity meter as the GUI shows it (torch-free copy of
/// tl::SimilarityReport).
struct SimilarityResult {
  struct Depth {
    QString block;
    qint64 dims = 0;
    double mmd2 = 0.0;
    double proxyADistance = 0.0;  ///< [0, 2]
  };
  QVector<Depth> depths;
  QString similarity;  ///< "high", "moderate", "low"
  QString strategy;    ///< config name, e.g. "partial_fine_tuning"
  int blocks = 1;      ///< the strategy's block count
  double lowerLrMultiplier = 0.0;
  QString reason;
};

/// "How far is my target from the source?" before training: a button runs
/// core's similarity meter (MMD² and proxy A-distance after every block of the
/// frozen pretrained model) on a BackgroundTask while the window stays usable
/// (Cancel, or Esc inside the panel, stops waiting for it), then shows the
/// distances per block, the recommended similarity level and strategy with
/// the reason, and offers to apply them to the session (and to undo that
/// until the next edit).
class SimilarityPanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit SimilarityPanel(ExperimentSession* session, QWidget* parent = nullptr);
  ~SimilarityPanel() override;  ///< waits for a running measurement

  bool isMeasuring() const;
  TaskProgressBar* progress() const { return progress_; }
  /// The last result; empty depths before the first measurement.
  SimilarityResult result() const { return result_; }
  QPushButton* measureButton() const { return measure_; }
  QPushButton* applyButton() const { return apply_; }
  QTableWidget* table() const { return table_; }
  QString recommendationText() const;
  /// The model or target changed since the last measurement: its numbers no
  /// longer describe the session, and Apply waits for a new one.
  bool isStale() const;
  /// Samples per domain (default 500); fewer make tests quick.
  void setSamplesPerDomain(int samples) { samples_ = samples; }

 public Q_SLOTS:
  /// Starts measuring the session's current config; false while one runs or
  /// the model is not pretrained.
  bool measure();
  /// Sets the recommended similarity and strategy in the session.
  void applyRecommendation();
  /// Puts back the config from before applyRecommendation().
  void undoRecommendation();
  /// Cancels a running measurement: the panel is idle at once and keeps the
  /// last result; the cancelled measurement's numbers are never shown.
  void cancel();

 Q_SIGNALS:
  void measured();
  void failed(const QString& message);
  void cancelled();

 private:
  void buildWidgets();
  void showResult(const SimilarityResult& result);
  void showFailure(const QString& message);
  void showCancelled();
  void setBusy(bool busy);
  void updateButtons();
  void onConfigChanged();
  QString measuredPart() const;  ///< the session's model + target, as JSON text

  ExperimentSession* session_;
  BackgroundTask* task_;
  SimilarityResult result_;
  QString undoConfig_;    ///< the config before the last apply, until the next other edit
  QString measuring_;     ///< measuredPart() when the running measurement started
  QString measured_;      ///< measuredPart() of the shown result
  bool applying_ = false;
  int samples_ = 500;
  QPushButton* measure_ = nullptr;
  TaskProgressBar* progress_ = nullptr;
  QTableWidget* table_ = nullptr;
  QLabel* recommendation_ = nullptr;
  QPushButton* apply_ = nullptr;
};

}  // namespace tl
