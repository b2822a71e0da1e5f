#pragma once

#include "training/training_controller.h"

#include <QWidget>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace tl {

class ExperimentSession;

/// Epochs, batch size, learning rate, optimizer and seed, bound both ways to
/// the session's training options; Train / Pause-Resume / Stop as actions with
/// shortcuts, so a menu can show the same commands.
class TrainingControls : public QWidget {
  Q_OBJECT

 public:
  TrainingControls(ExperimentSession* session, TrainingController* controller, QWidget* parent = nullptr);

  QAction* trainAction() const { return trainAction_; }   ///< Ctrl+Return
  QAction* pauseAction() const { return pauseAction_; }   ///< Ctrl+P; reads "Resume" while paused
  QAction* stopAction() const { return stopAction_; }     ///< Esc, Ctrl+.

 Q_SIGNALS:
  /// The user asked for a run with the session's current config.
  void trainRequested();

 private:
  void buildForm();
  void buildActions();
  void connectSession();
  void showSessionValues();
  void showControllerState(TrainingController::State state);

  ExperimentSession* session_;
  TrainingController* controller_;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* batchSize_ = nullptr;
  QDoubleSpinBox* learningRate_ = nullptr;
  QComboBox* optimizer_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QWidget* form_ = nullptr;
  QPushButton* trainButton_ = nullptr;
  QPushButton* pauseButton_ = nullptr;
  QPushButton* stopButton_ = nullptr;
  QAction* trainAction_ = nullptr;
  QAction* pauseAction_ = nullptr;
  QAction* stopAction_ = nullptr;
};

}  // namespace tl
