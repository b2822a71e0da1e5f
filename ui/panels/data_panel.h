#pragma once

#include "panels/sample_strip.h"

#include <QList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTimer;

namespace tl {

class ExperimentSession;

/// The target task: which Fashion-MNIST classes (at least two), labelled
/// images per class, domain shift and its strength; with a strip of sample
/// images from the source task and from the (shifted) target task, redrawn
/// ~150 ms after the last change.
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

 private:
  QWidget* buildClassBox();
  QWidget* buildTaskForm();
  void classToggled();
  void shiftEdited();
  void syncFromSession();

  ExperimentSession* session_;
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
