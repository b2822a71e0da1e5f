#pragma once

#include "panels/folder_preview.h"
#include "panels/sample_strip.h"

#include <QList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace tl {

class ExperimentSession;
class TaskProgressBar;

/// The target task: Fashion-MNIST (which classes, at least two; domain shift
/// and its strength) or an image folder of the user's own (its classes, image
/// counts, decoding progress and skipped files); labelled images per class;
/// with a strip of sample images from the source task and from the target
/// task, redrawn ~150 ms after the last change.
class DataPanel : public QWidget {
  Q_OBJECT

 public:
  explicit DataPanel(ExperimentSession* session, QWidget* parent = nullptr);
  ~DataPanel() override;

  static constexpr int kSamplesPerRow = 8;

  QVector<Sample> sourceSamples() const { return strip_->row(0); }
  QVector<Sample> targetSamples() const { return strip_->row(1); }
  /// Redraws the strip now instead of after the debounce delay.
  void refreshSamplesNow();

  QCheckBox* classCheckBox(int label) const { return classes_.value(label); }
  QSpinBox* shotsSpin() const { return shots_; }
  QCheckBox* unlabelledCheck() const { return unlabelled_; }
  QComboBox* shiftCombo() const { return shiftKind_; }
  QSlider* strengthSlider() const { return strength_; }
  QComboBox* sourceCombo() const { return source_; }
  QLabel* folderSummaryLabel() const { return folderSummary_; }
  /// The folder load's progress and its Cancel (Esc inside the panel).
  TaskProgressBar* folderProgress() const { return folderProgress_; }
  FolderPreview* folderPreview() const { return preview_; }

  /// Index of sourceCombo()'s entries.
  enum SourceIndex { FashionMnistSource = 0, ImageFolderSource = 1 };

 private:
  QWidget* buildSourceBox();
  QWidget* buildClassBox();
  QWidget* buildTaskForm();
  void classToggled();
  void shiftEdited();
  void syncFromSession();
  void sourceChosen(int index);
  /// Asks for a folder; returns whether the session took it.
  bool chooseFolder();
  /// Loads the session's folder at the model's input size unless that exact
  /// load is already done or running.
  void loadFolderIfChanged();
  void showFolderSummary(const FolderSummary& summary);
  void setFolderMode(bool folder);

  ExperimentSession* session_;
  QComboBox* source_;
  QPushButton* chooseFolder_;
  QLabel* folderPath_;
  FolderPreview* preview_;  ///< before folderProgress_, which shows its task
  TaskProgressBar* folderProgress_;
  QLabel* folderSummary_;
  QString folderRequest_;  ///< what the last load was asked for: folder and size
  FolderSummary folderLoaded_;
  QGroupBox* classBox_ = nullptr;
  QFormLayout* taskForm_ = nullptr;
  QLayout* strengthRow_ = nullptr;
  QList<QCheckBox*> classes_;
  QLabel* classHint_;
  QSpinBox* shots_;
  QCheckBox* unlabelled_;
  QComboBox* shiftKind_;
  QSlider* strength_;
  QLabel* strengthValue_;
  SampleStrip* strip_;
  QTimer* debounce_;
};

}  // namespace tl
