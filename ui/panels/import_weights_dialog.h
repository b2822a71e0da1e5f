#pragma once

// Torch-free on purpose (Q_OBJECT); the import runs behind the .cpp.

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace tl {

class BackgroundTask;
class TaskProgressBar;

/// File → Import weights…: a TorchScript export (.pt, e.g. from
/// tools/export-torchvision.py) or a safetensors state dict of a torchvision
/// model, plus its architecture. The import (core's import_checkpoint) runs on
/// a BackgroundTask; its report (loaded, missing, unexpected, shape
/// mismatches) fills the dialog, and the checkpoint is saved to
/// modelsDirectory() and announced with imported(). Cancel, or Esc while it
/// runs, cancels the import (nothing is announced); closing the dialog lets
/// it finish.
class ImportWeightsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ImportWeightsDialog(QWidget* parent = nullptr);
  ~ImportWeightsDialog() override;  ///< cancels a running import and waits for it to end

  /// AppDataLocation/models: where imported checkpoints are saved.
  static QString modelsDirectory();

  QLineEdit* fileEdit() const { return file_; }
  QComboBox* architectureCombo() const { return architecture_; }
  QCheckBox* partialCheck() const { return partial_; }
  QPushButton* importButton() const { return import_; }
  QPlainTextEdit* reportView() const { return report_; }
  TaskProgressBar* progress() const { return progress_; }
  bool isBusy() const;

 public Q_SLOTS:
  /// Imports the chosen file as the chosen architecture; false (nothing
  /// starts) while busy or without a file.
  bool startImport();
  /// Cancels a running import; imported() does not follow.
  void cancelImport();

 Q_SIGNALS:
  /// The checkpoint was saved to `checkpointPath`.
  void imported(const QString& checkpointPath);
  void importFailed(const QString& message);

 private:
  void browse();
  void setBusy(bool busy);
  void showImported(const QString& report, const QString& checkpointPath);
  void showFailure(const QString& message);

  BackgroundTask* task_;
  QLineEdit* file_;
  QComboBox* architecture_;
  QCheckBox* partial_;
  QPushButton* import_;
  TaskProgressBar* progress_;
  QPlainTextEdit* report_;
};

}  // namespace tl
