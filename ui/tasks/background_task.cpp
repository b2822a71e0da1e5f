#include "tasks/background_task.h"

#include "train/cpu_threads.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QTimer>

#include <mutex>
#include <optional>
#include <thread>

namespace tl {
namespace {

// 25 progress signals a second: as fast as the plots redraw, and a tight
// loop's reports cost the GUI thread one queued call per interval.
constexpr int kProgressIntervalMs = 40;

}  // namespace

/// One start(): its thread, cancel flag and outcome. Owned by the task until
/// the thread is joined, so the worker may always use it.
struct TaskContext::Job {
  quint64 id = 0;
  std::thread thread;
  std::atomic<bool> cancel{false};

  // The latest progress, handed over under `mutex`; `progressPosted` while a
  // queued call to pick it up is on its way or the throttle holds it back.
  std::mutex mutex;
  double fraction = -1.0;
  QString text;
  bool progressPosted = false;

  // Written by the worker before it posts its end; read after the join.
  BackgroundTask::Deliver deliver;
  std::optional<QString> error;
};

void TaskContext::progress(double fraction, const QString& text) {
  {
    std::lock_guard<std::mutex> lock(job_->mutex);
    job_->fraction = fraction;
    job_->text = text;
    if (job_->progressPosted) return;  // the pending call will pick this value up
    job_->progressPosted = true;
  }
  const quint64 id = job_->id;
  task_->postToGui(id, [task = task_, id] { task->progressPosted(id); });
}

bool TaskContext::cancelled() const { return job_->cancel.load(); }

const std::atomic<bool>& TaskContext::cancelFlag() const { return job_->cancel; }

void TaskContext::post(std::function<void()> call) { task_->postToGui(job_->id, std::move(call)); }

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent), throttle_(new QTimer(this)) {
  throttle_->setSingleShot(true);
  throttle_->setInterval(kProgressIntervalMs);
  connect(throttle_, &QTimer::timeout, this, [this] {
    if (emitPendingProgress()) throttle_->start();
  });
}

// Signals are not emitted here: the owner is usually being destroyed too.
BackgroundTask::~BackgroundTask() {
  if (current_) retired_.push_back(std::move(current_));
  for (auto& job : retired_) job->cancel = true;
  for (auto& job : retired_) {
    if (job->thread.joinable()) job->thread.join();
  }
}

bool BackgroundTask::isRunning() const { return current_ != nullptr; }

bool BackgroundTask::isCurrent(quint64 jobId) const { return current_ && current_->id == jobId; }

bool BackgroundTask::startJob(ErasedWork work) {
  if (current_) return false;
  current_ = std::make_unique<TaskContext::Job>();
  TaskContext::Job* job = current_.get();
  job->id = nextJobId_++;
  throttle_->stop();
  Q_EMIT started();
  job->thread = std::thread([this, job, work = std::move(work), threads = cpuThreads_] { runJob(job, work, threads); });
  return true;
}

// The worker thread. Nothing escapes it: every exception becomes the job's
// error. The task outlives the thread (its destructor joins), so posting to
// it is safe.
void BackgroundTask::runJob(TaskContext::Job* job, const ErasedWork& work, int cpuThreads) {
  TaskContext context(this, job);
  try {
    if (cpuThreads >= 0) configure_cpu_threads(cpuThreads);
    job->deliver = work(context);
  } catch (const std::exception& e) {
    job->error = QString::fromStdString(e.what());
  } catch (...) {
    job->error = QStringLiteral("unknown error");
  }
  const quint64 id = job->id;
  QMetaObject::invokeMethod(this, [this, id] { jobEnded(id); }, Qt::QueuedConnection);
}

void BackgroundTask::postToGui(quint64 jobId, std::function<void()> call) {
  QMetaObject::invokeMethod(
      this,
      [this, jobId, call = std::move(call)] {
        if (isCurrent(jobId)) call();
      },
      Qt::QueuedConnection);
}

void BackgroundTask::progressPosted(quint64 jobId) {
  if (!isCurrent(jobId) || throttle_->isActive()) return;  // the throttle's timeout emits it
  if (emitPendingProgress()) throttle_->start();
}

bool BackgroundTask::emitPendingProgress() {
  if (!current_) return false;
  double fraction = 0.0;
  QString text;
  {
    std::lock_guard<std::mutex> lock(current_->mutex);
    if (!current_->progressPosted) return false;
    current_->progressPosted = false;
    fraction = current_->fraction;
    text = current_->text;
  }
  Q_EMIT progress(fraction, text);
  return true;
}

void BackgroundTask::cancel() {
  if (!current_) return;
  current_->cancel = true;
  retired_.push_back(std::move(current_));
  throttle_->stop();
  Q_EMIT cancelled();
}

void BackgroundTask::jobEnded(quint64 jobId) {
  if (!isCurrent(jobId)) {
    // A cancelled job: its thread has returned; reap it, drop its outcome.
    for (auto it = retired_.begin(); it != retired_.end(); ++it) {
      if ((*it)->id != jobId) continue;
      if ((*it)->thread.joinable()) (*it)->thread.join();
      retired_.erase(it);
      break;
    }
    return;
  }
  emitPendingProgress();  // the last value before the result, even when throttled
  throttle_->stop();
  if (!isCurrent(jobId)) return jobEnded(jobId);  // a progress handler cancelled it: reap it
  const std::unique_ptr<TaskContext::Job> job = std::move(current_);
  if (job->thread.joinable()) job->thread.join();  // it has posted its last call: immediate
  // Idle before the outcome goes out, so its handlers may start the next job.
  if (job->error) {
    Q_EMIT failed(*job->error);
    return;
  }
  job->deliver();
  Q_EMIT finished();
}

void BackgroundTask::wait() {
  if (current_ && current_->thread.joinable()) current_->thread.join();
  QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

}  // namespace tl
