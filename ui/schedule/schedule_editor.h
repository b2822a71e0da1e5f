#pragma once

#include "session/experiment_session.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace tl {

/// The run's schedule ("transfer.schedule"), below the strategy options:
/// when frozen blocks thaw (none, gradual, two-phase), layer-wise
/// learning-rate decay and the learning rate's shape. Only the fields of the
/// chosen kinds show; a sentence says what the plan will do. Every change
/// goes to the session at once, so a saved config carries it.
class ScheduleEditor : public QWidget {
  Q_OBJECT

 public:
  explicit ScheduleEditor(ExperimentSession* session, QWidget* parent = nullptr);

  QComboBox* unfreezeCombo() const { return unfreeze_; }
  QComboBox* lrShapeCombo() const { return lrShape_; }
  QSpinBox* unfreezeEverySpin() const { return unfreezeEvery_; }
  QSpinBox* headEpochsSpin() const { return headEpochs_; }
  QDoubleSpinBox* lrMultSpin() const { return lrMult_; }
  QDoubleSpinBox* layerDecaySpin() const { return layerDecay_; }
  QSpinBox* stepEpochsSpin() const { return stepEpochs_; }
  QDoubleSpinBox* gammaSpin() const { return gamma_; }
  QDoubleSpinBox* warmupSpin() const { return warmup_; }
  QDoubleSpinBox* peakRatioSpin() const { return peakRatio_; }
  QString sentence() const;
  /// Whether `field`'s row shows (its kind is chosen).
  bool isFieldShown(QWidget* field) const;

 private:
  void buildUnfreezeRows();
  void buildLrRows();
  ScheduleSettings fromWidgets() const;
  void apply();
  void syncFromSession();
  void showChosenRows();

  ExperimentSession* session_;
  QFormLayout* form_;
  QComboBox* unfreeze_;
  QSpinBox* unfreezeEvery_;
  QSpinBox* headEpochs_;
  QDoubleSpinBox* lrMult_;
  QDoubleSpinBox* layerDecay_;
  QComboBox* lrShape_;
  QSpinBox* stepEpochs_;
  QDoubleSpinBox* gamma_;
  QDoubleSpinBox* warmup_;
  QDoubleSpinBox* peakRatio_;
  QLabel* sentence_;
};

}  // namespace tl
