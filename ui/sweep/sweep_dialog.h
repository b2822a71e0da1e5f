#pragma once

#include <QByteArray>
#include <QDialog>
#include <QList>
#include <QString>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace tl {

class ExperimentSession;

/// Experiment ▸ Sweep…: a sweep of the session's current experiment over
/// frozen depth, learning rates and labels per class, in grid or random
/// order, over several seeds, into a folder. Prefilled from the config's own
/// "sweep" section when it has one (axes the dialog does not edit are kept).
/// The trial and job count follow every edit; a bad value shows core's error
/// naming the field, and Run stays disabled until the sweep is valid. A
/// folder holding an unfinished sweep offers Resume, with that sweep's own
/// config and spec.
class SweepDialog : public QDialog {
  Q_OBJECT

 public:
  SweepDialog(const ExperimentSession& session, const QString& runsDirectory, QWidget* parent = nullptr);
  ~SweepDialog() override;

  /// The config to run: the session's with the "sweep" section built here
  /// (or, to resume, the folder's own sweep).
  QByteArray configJson() const;
  QString directory() const;
  bool isValid() const { return valid_; }
  bool resumes() const { return resumes_; }
  /// "4 trials × 3 seeds = 12 runs + 3 twins".
  QString countText() const;
  /// Core's error for the current values; empty when valid.
  QString errorText() const;

  QList<QCheckBox*> depthBoxes() const { return depthBoxes_; }
  QLineEdit* learningRatesEdit() const { return learningRates_; }
  QLineEdit* labelsEdit() const { return labels_; }
  QComboBox* orderBox() const { return order_; }
  QSpinBox* budgetBox() const { return budget_; }
  QSpinBox* seedsBox() const { return seeds_; }
  QLineEdit* folderEdit() const { return folder_; }
  QPushButton* runButton() const { return run_; }

 private:
  void buildForm(const ExperimentSession& session, const QString& runsDirectory);
  void prefill();
  void update();
  /// The sweep section of the form; throws ConfigError for a list entry that is not a number.
  QByteArray sweepJson() const;
  bool offerResume();
  void browse();

  QByteArray baseConfig_;  ///< the session's config as JSON
  QByteArray extraAxes_;   ///< axes of the config's sweep section that the form does not edit, a JSON array
  QByteArray resumeConfig_;
  QList<QCheckBox*> depthBoxes_;
  QLineEdit* learningRates_ = nullptr;
  QLineEdit* labels_ = nullptr;
  QComboBox* order_ = nullptr;
  QSpinBox* budget_ = nullptr;
  QSpinBox* seeds_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QLabel* extraLabel_ = nullptr;
  QLabel* count_ = nullptr;
  QLabel* error_ = nullptr;
  QLabel* resumeNote_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
  QPushButton* run_ = nullptr;
  bool valid_ = false;
  bool resumes_ = false;
};

}  // namespace tl
