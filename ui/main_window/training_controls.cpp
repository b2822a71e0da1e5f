#include "main_window/training_controls.h"

#include "session/experiment_session.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

#include <initializer_list>
#include <limits>
#include <utility>

namespace tl {

TrainingControls::TrainingControls(ExperimentSession* session, TrainingController* controller, QWidget* parent)
    : QWidget(parent), session_(session), controller_(controller) {
  buildForm();
  buildActions();
  connectSession();
  showSessionValues();
  showControllerState(controller_->state());
}

void TrainingControls::buildForm() {
  epochs_ = new QSpinBox;
  epochs_->setRange(1, 1000);
  batchSize_ = new QSpinBox;
  batchSize_->setRange(1, 4096);
  learningRate_ = new QDoubleSpinBox;
  learningRate_->setDecimals(5);
  learningRate_->setRange(0.00001, 10.0);
  learningRate_->setSingleStep(0.001);
  optimizer_ = new QComboBox;
  optimizer_->addItem(tr("SGD with momentum"), QStringLiteral("sgd"));
  optimizer_->addItem(tr("Adam"), QStringLiteral("adam"));
  seed_ = new QSpinBox;
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setToolTip(tr("The same seed reproduces the same run on this machine"));

  twin_ = new QCheckBox(tr("Compare with &twin"));
  twin_->setToolTip(tr("Also trains the run's twin — from scratch, or source-only for a DANN run — with the same "
                       "data, seed and budget, and shows on the same plot whether the transfer helped"));
  seeds_ = new QSpinBox;
  seeds_->setRange(1, 10);
  seeds_->setValue(1);
  seeds_->setToolTip(tr("Repeats the run (and its twin) with seeds S, S+1, …: the verdict weighs the gap "
                        "against the spread between seeds"));

  // Object names let tests and style sheets find the fields.
  epochs_->setObjectName(QStringLiteral("epochs"));
  batchSize_->setObjectName(QStringLiteral("batchSize"));
  learningRate_->setObjectName(QStringLiteral("learningRate"));
  optimizer_->setObjectName(QStringLiteral("optimizer"));
  seed_->setObjectName(QStringLiteral("seed"));
  twin_->setObjectName(QStringLiteral("compareWithTwin"));
  seeds_->setObjectName(QStringLiteral("seeds"));

  form_ = new QWidget;
  auto* form = new QFormLayout(form_);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->addRow(tr("&Epochs"), epochs_);
  form->addRow(tr("&Batch size"), batchSize_);
  form->addRow(tr("&Learning rate"), learningRate_);
  form->addRow(tr("&Optimizer"), optimizer_);
  form->addRow(tr("S&eed"), seed_);
  auto* comparison = new QHBoxLayout;
  comparison->addWidget(twin_);
  comparison->addStretch();
  auto* seedsLabel = new QLabel(tr("See&ds"));
  seedsLabel->setBuddy(seeds_);
  comparison->addWidget(seedsLabel);
  comparison->addWidget(seeds_);
  form->addRow(comparison);

  auto* box = new QGroupBox(tr("Training"));
  auto* boxLayout = new QVBoxLayout(box);
  boxLayout->addWidget(form_);
  auto* buttons = new QHBoxLayout;
  boxLayout->addLayout(buttons);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(box);

  // Given their actions in buildActions().
  trainButton_ = new QPushButton;
  pauseButton_ = new QPushButton;
  stopButton_ = new QPushButton;
  for (QPushButton* button : {trainButton_, pauseButton_, stopButton_}) buttons->addWidget(button);
}

void TrainingControls::buildActions() {
  trainAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Train"), this);
  trainAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  trainAction_->setToolTip(tr("Start training with these settings (Ctrl+Return)"));
  pauseAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
  pauseAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  stopAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop"), this);
  // Esc is the natural "stop"; Ctrl+. for keyboards where Esc is taken.
  stopAction_->setShortcuts({QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_Period)});
  stopAction_->setToolTip(tr("Stop after the current batch (Esc)"));
  const std::pair<QAction*, QPushButton*> pairs[] = {
      {trainAction_, trainButton_}, {pauseAction_, pauseButton_}, {stopAction_, stopButton_}};
  for (const auto& [action, button] : pairs) {
    action->setShortcutContext(Qt::WindowShortcut);
    addAction(action);  // shortcuts work anywhere in the window
    button->setText(action->text().remove(QLatin1Char('&')));
    button->setIcon(action->icon());
    button->setToolTip(action->toolTip().isEmpty() ? action->shortcut().toString(QKeySequence::NativeText)
                                                   : action->toolTip());
    connect(button, &QPushButton::clicked, action, &QAction::trigger);
    connect(action, &QAction::changed, button, [button = button, action = action] {
      button->setEnabled(action->isEnabled());
      button->setText(action->text().remove(QLatin1Char('&')));
      button->setIcon(action->icon());
      button->setToolTip(action->toolTip());
    });
  }
  trainButton_->setDefault(true);
  connect(trainAction_, &QAction::triggered, this, &TrainingControls::trainRequested);
  connect(pauseAction_, &QAction::triggered, this, &TrainingControls::togglePause);
  connect(stopAction_, &QAction::triggered, controller_, &TrainingController::stop);
  connect(controller_, &TrainingController::stateChanged, this, &TrainingControls::showControllerState);
}

void TrainingControls::connectSession() {
  connect(epochs_, &QSpinBox::valueChanged, session_, &ExperimentSession::setEpochs);
  connect(batchSize_, &QSpinBox::valueChanged, session_, &ExperimentSession::setBatchSize);
  connect(learningRate_, &QDoubleSpinBox::valueChanged, session_, &ExperimentSession::setLearningRate);
  connect(seed_, &QSpinBox::valueChanged, session_, [this](int seed) { session_->setSeed(seed); });
  connect(optimizer_, &QComboBox::currentIndexChanged, session_,
          [this] { session_->setOptimizer(optimizer_->currentData().toString()); });
  connect(session_, &ExperimentSession::configChanged, this, &TrainingControls::showSessionValues);
  connect(session_, &ExperimentSession::modelChanged, this, &TrainingControls::updateTwinAvailability);
  updateTwinAvailability();
}

RunOptions TrainingControls::runOptions() const {
  RunOptions options;
  options.twin = twin_->isEnabled() && twin_->isChecked();
  options.seeds = seeds_->value();
  return options;
}

void TrainingControls::setRunOptions(const RunOptions& options) {
  twin_->setChecked(options.twin);
  seeds_->setValue(options.seeds);
}

// A twin is "the same run without the pretrained weights": an untrained model has none.
void TrainingControls::updateTwinAvailability() {
  const bool pretrained = session_->hasPretrainedModel();
  twin_->setEnabled(pretrained);
  if (!pretrained) twin_->setToolTip(tr("Needs a pretrained model: a run from scratch has no twin to compare with"));
  else twin_->setToolTip(tr("Also trains the run's twin — from scratch, or source-only for a DANN run — with the "
                            "same data, seed and budget, and shows on the same plot whether the transfer helped"));
}

void TrainingControls::showSessionValues() {
  // Blocked so that showing a value does not write it back.
  const QSignalBlocker b1(epochs_), b2(batchSize_), b3(learningRate_), b4(optimizer_), b5(seed_);
  epochs_->setValue(session_->epochs());
  batchSize_->setValue(session_->batchSize());
  learningRate_->setValue(session_->learningRate());
  optimizer_->setCurrentIndex(std::max(0, optimizer_->findData(session_->optimizer())));
  seed_->setValue(static_cast<int>(std::min<qint64>(session_->seed(), std::numeric_limits<int>::max())));
}

void TrainingControls::togglePause() {
  // The freeze plan and learning rate edited while paused apply from the
  // next batch; the trainer logs the change (an invalid plan as a warning).
  if (controller_->state() == TrainingController::State::Paused && !controller_->runOptions().isComparison()) {
    controller_->updatePausedRun(session_->configJson().toUtf8());
  }
  controller_->togglePause();
}

void TrainingControls::showControllerState(TrainingController::State state) {
  using State = TrainingController::State;
  const bool busy = TrainingController::isBusyState(state);
  // A paused single run takes a new learning rate; the rest of the form
  // describes the run as it started.
  const bool editableWhilePaused = state == State::Paused && !controller_->runOptions().isComparison();
  form_->setEnabled(!busy || editableWhilePaused);
  for (QWidget* field : std::initializer_list<QWidget*>{epochs_, batchSize_, optimizer_, seed_, seeds_}) {
    field->setEnabled(!busy);
  }
  if (busy) twin_->setEnabled(false);
  else updateTwinAvailability();
  trainAction_->setEnabled(!busy);
  pauseAction_->setEnabled(state == State::Training || state == State::Paused);
  pauseAction_->setText(state == State::Paused ? tr("&Resume") : tr("&Pause"));
  pauseAction_->setIcon(style()->standardIcon(state == State::Paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
  pauseAction_->setToolTip(state == State::Paused ? tr("Continue training (Ctrl+P)")
                                                  : tr("Pause between two batches (Ctrl+P)"));
  stopAction_->setEnabled(busy && state != State::Stopping);
}

}  // namespace tl
