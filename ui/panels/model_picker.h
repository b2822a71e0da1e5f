#pragma once

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace tl {

class CostProbeRunner;
class ExperimentSession;
class TaskProgressBar;
struct CostEstimate;
struct ProbeTarget;

/// Chooses the model: built-in checkpoints, untrained architectures and
/// "Open…" for a checkpoint file, with what matters when choosing one
/// (architecture, size, cost, source task, data, accuracy, licence).
/// A file that does not load leaves the previous model in place; the message
/// goes out through loadFailed() (the main window shows it).
/// setShowsErrorDialogs(true) makes the picker show it itself.
///
/// Checkpoints opened or imported once are remembered (QSettings
/// "models/imported") and listed after the built-ins in later sessions.
/// "Training cost" shows the memory and time of training the current model at
/// the session's batch size, measured on this machine by core's cost probe on
/// a background thread ("Measure"; its Cancel, or Esc inside the picker,
/// stops it), cached per architecture, input size and batch size.
class ModelPicker : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPicker(ExperimentSession* session, QWidget* parent = nullptr);
  ~ModelPicker() override;

  QComboBox* combo() const { return combo_; }
  /// Loads a checkpoint file as "Open…" does after its dialog.
  bool openCheckpoint(const QString& path);
  /// Off by default: loadFailed() already reaches the user through the window.
  void setShowsErrorDialogs(bool show) { showsErrorDialogs_ = show; }
  /// The details form as "label: value" lines (tests, screenshots' alt text).
  QString detailsText() const;

  /// Adds a checkpoint file to the remembered models and to the combo.
  void rememberModel(const QString& path);
  /// Remembered checkpoint files that still exist, most recent first.
  static QStringList rememberedModels();

  /// What "Measure" probes: the current model at the session's batch size.
  ProbeTarget probeTarget() const;
  CostProbeRunner* costProbe() const { return costProbe_; }
  QPushButton* measureButton() const { return measure_; }
  /// The cost probe's progress and its Cancel.
  TaskProgressBar* costProgress() const { return costProgress_; }

 public Q_SLOTS:
  void openFileDialog();
  /// Measures the current model's training cost in the background; the
  /// cost row says "measuring…" until it is done.
  void measureCost();

 Q_SIGNALS:
  void loadFailed(const QString& message);

 private:
  void buildDetailsForm();
  void populateChoices();
  void selectCurrentModel();  ///< the combo follows the session, also after a failure
  void showDetails();
  void chooseIndex(int index);
  void reportFailure(const QString& message);
  QLabel* addDetail(const QString& label);
  void addCostRow();
  void showCost();
  QString costText(const CostEstimate& estimate) const;

  ExperimentSession* session_;
  QComboBox* combo_;
  QPushButton* open_;
  QPushButton* measure_ = nullptr;
  QLabel* cost_ = nullptr;
  CostProbeRunner* costProbe_;
  TaskProgressBar* costProgress_ = nullptr;
  bool showsErrorDialogs_ = false;
  struct Details;
  std::unique_ptr<Details> details_;  ///< pointers to the form's labels (Qt owns the labels)
};

}  // namespace tl
