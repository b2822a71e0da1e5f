#include "schedule/schedule_run_follower.h"

#include "experiment/job_identity.h"
#include "layer_tree/layer_tree_model.h"
#include "schedule/timeline_strip.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"

namespace tl {

ScheduleRunFollower::ScheduleRunFollower(ExperimentSession* session, TrainingController* controller,
                                         LayerTreeModel* tree, TimelineStrip* strip, QObject* parent)
    : QObject(parent), session_(session), tree_(tree), strip_(strip) {
  connect(controller, &TrainingController::runStarted, this, &ScheduleRunFollower::startRun);
  connect(controller, &TrainingController::jobStarted, this, &ScheduleRunFollower::startJob);
  connect(controller, &TrainingController::batchTrained, this,
          [this](int epoch, int, int batchesPerEpoch) { showEpoch(epoch, batchesPerEpoch); });
  connect(controller, &TrainingController::runFinished, this, &ScheduleRunFollower::endRun);
}

// The setup is locked while a run is busy, so the session's schedule is the run's.
void ScheduleRunFollower::startRun() {
  scheduled_ = !session_->schedule().isDefault();
  transferJob_ = true;
}

void ScheduleRunFollower::startJob(const JobIdentity& job) {
  transferJob_ = !job.is_twin();
  tree_->showFinalPlan();
  strip_->setCurrentEpoch(0);
}

void ScheduleRunFollower::showEpoch(int epoch, qint64 batchesPerEpoch) {
  if (!scheduled_ || !transferJob_) return;
  strip_->setBatchesPerEpoch(batchesPerEpoch);
  strip_->setCurrentEpoch(epoch);
  tree_->showPlanAtEpoch(epoch);  // nothing to do within an epoch: same epoch, same plan
}

void ScheduleRunFollower::endRun() {
  tree_->showFinalPlan();
  strip_->setCurrentEpoch(0);
}

}  // namespace tl
