#pragma once

// Torch-free on purpose (Q_OBJECT); the import runs behind the .cpp.

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace tl {

/// File → Import weights…: a TorchScript export (.pt, e.g. from
/// tools/export-torchvision.py) or a safetensors state dict of a torchvision
/// model, plus its architecture. The import (core's import_checkpoint) runs on
/// a worker thread; its report (loaded, missing, unexpected, shape
/// mismatches) fills the dialog, and the checkpoint is saved to
/// modelsDirectory() and announced with imported().
class ImportWeightsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ImportWeightsDialog(QWidget* parent = nullptr);
  ~ImportWeightsDialog() override;  ///< waits for a running import to end

  /// AppDataLocation/models: where imported checkpoints are saved.
  static QString modelsDirectory();

  QLineEdit* fileEdit() const { return file_; }
  QComboBox* architectureCombo() const { return architecture_; }
  QCheckBox* partialCheck() const { return partial_; }
  QPushButton* importButton() const { return import_; }
  QPlainTextEdit* reportView() const { return report_; }
  bool isBusy() const;

 public Q_SLOTS:
  /// Imports the chosen file as the chosen architecture; false (nothing
  /// starts) while busy or without a file.
  bool startImport();

 Q_SIGNALS:
  /// The checkpoint was saved to `checkpointPath`.
  void imported(const QString& checkpointPath);
  void importFailed(const QString& message);

 private:
  void browse();
  void finishImport(bool ok, const QString& report, const QString& checkpointPath);

  QLineEdit* file_;
  QComboBox* architecture_;
  QCheckBox* partial_;
  QPushButton* import_;
  QProgressBar* progress_;
  QPlainTextEdit* report_;
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace tl
