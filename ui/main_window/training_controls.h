#pragma once

#include "training/training_controller.h"

#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace tl {

class ExperimentSession;

/// Epochs, batch size, learning rate, optimizer and seed, bound both ways to
/// the session's training options; "Compare with twin" and the number of
/// seeds (how the run is repeated, as `run --twin --seeds K`: not part of the
/// config); Train / Pause-Resume / Stop as actions with shortcuts, so a menu
/// can show the same commands.
class TrainingControls : public QWidget {
  Q_OBJECT

 public:
  TrainingControls(ExperimentSession* session, TrainingController* controller, QWidget* parent = nullptr);

  QAction* trainAction() const { return trainAction_; }   ///< Ctrl+Return
  QAction* pauseAction() const { return pauseAction_; }   ///< Ctrl+P; reads "Resume" while paused
  QAction* stopAction() const { return stopAction_; }     ///< Esc, Ctrl+.
  QCheckBox* twinBox() const { return twin_; }
  QSpinBox* seedsBox() const { return seeds_; }

  /// Twin (only with a pretrained model) and seeds as chosen.
  RunOptions runOptions() const;
  void setRunOptions(const RunOptions& options);

 Q_SIGNALS:
  /// The user asked for a run with the session's current config.
  void trainRequested();

 private:
  void buildForm();
  void buildActions();
  void connectSession();
  void showSessionValues();
  void showControllerState(TrainingController::State state);
  /// Pause, or resume with the freeze plan and learning rate edited meanwhile.
  void togglePause();
  void updateTwinAvailability();

  ExperimentSession* session_;
  TrainingController* controller_;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* batchSize_ = nullptr;
  QDoubleSpinBox* learningRate_ = nullptr;
  QComboBox* optimizer_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QCheckBox* twin_ = nullptr;
  QSpinBox* seeds_ = nullptr;
  QWidget* form_ = nullptr;
  QPushButton* trainButton_ = nullptr;
  QPushButton* pauseButton_ = nullptr;
  QPushButton* stopButton_ = nullptr;
  QAction* trainAction_ = nullptr;
  QAction* pauseAction_ = nullptr;
  QAction* stopAction_ = nullptr;
};

}  // namespace tl
