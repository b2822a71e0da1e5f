#pragma once

#include <QObject>

namespace tl {

class ExperimentSession;
class LayerTreeModel;
class TimelineStrip;
class TrainingController;
struct JobIdentity;

/// While a run trains with a schedule, the layer tree shows the plan in
/// force at the current epoch and the timeline strip marks that epoch; when
/// the run ends both go back to the whole run's plan. A comparison's twins
/// train without the schedule's unfreezing, so during theirs the tree shows
/// the session's plan.
class ScheduleRunFollower : public QObject {
  Q_OBJECT

 public:
  ScheduleRunFollower(ExperimentSession* session, TrainingController* controller, LayerTreeModel* tree,
                      TimelineStrip* strip, QObject* parent = nullptr);

 private:
  void startRun();
  void startJob(const JobIdentity& job);
  void showEpoch(int epoch, qint64 batchesPerEpoch);
  void endRun();

  ExperimentSession* session_;
  LayerTreeModel* tree_;
  TimelineStrip* strip_;
  bool scheduled_ = false;    ///< the run's config has a schedule
  bool transferJob_ = true;   ///< the job training now follows the schedule
};

}  // namespace tl
