#pragma once

// Torch-free on purpose (Q_OBJECT): work functions may use LibTorch in the
// .cpp files that start them.

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

class QTimer;

namespace tl {

class BackgroundTask;

/// What a BackgroundTask's work function gets, on its own thread.
class TaskContext {
 public:
  /// Reports how far the work is: `fraction` in [0, 1], or < 0 when unknown
  /// (a busy indicator); `text` says what it is doing ("Decoding 12 / 40
  /// images"). Thread-safe and cheap: values are coalesced, so a tight loop
  /// may call it every iteration; the task emits at most ~25 progress signals
  /// a second, and the last value before a result always arrives.
  void progress(double fraction, const QString& text = QString());
  /// True once the task was cancelled (or is being destroyed): return or
  /// throw soon; whatever the work delivers afterwards is dropped.
  bool cancelled() const;
  /// The cancel flag itself, for core APIs that take `const std::atomic<bool>*`.
  const std::atomic<bool>& cancelFlag() const;
  /// Runs `call` on the GUI thread, in order with progress and the result,
  /// unless the job was cancelled or replaced by then. For typed events
  /// richer than progress (a training run's batches and epochs).
  void post(std::function<void()> call);

 private:
  friend class BackgroundTask;
  struct Job;
  TaskContext(BackgroundTask* task, Job* job) : task_(task), job_(job) {}
  BackgroundTask* task_;
  Job* job_;
};

/// One long job at a time on a dedicated std::thread (LibTorch's thread count
/// and grad mode are per thread, so a pool thread would not do): start,
/// progress, cancel, and the result or error delivered on the GUI thread.
///
///   task->start([config](TaskContext& ctx) { return measure(config, &ctx.cancelFlag()); },
///               [this](Report report) { show(report); });
///
/// Exactly one of finished(), failed() or cancelled() ends every successful
/// start(). cancel() returns the task to idle at once and emits cancelled();
/// the work sees the flag and should stop, and anything it delivers later
/// (result, error, progress, posts) is dropped, so work that cannot be
/// interrupted inside (a core call without a cancel hook) merely runs on
/// unseen until it returns. Its thread is joined then, or by the destructor;
/// a new start() need not wait for it. The destructor cancels and joins every
/// thread it started, without emitting anything.
///
/// A job that should end early *with* a result (a training run stopped by the
/// user still writes its record) keeps its own stop flag and returns
/// normally; cancel() abandons a job.
///
/// Thread settings: with setCpuThreads(n), each job's thread first calls
/// core's configure_cpu_threads(n) (LibTorch intra-op threads =
/// training_thread_count(n), OpenBLAS as for training); by default the thread
/// keeps LibTorch's defaults. Grad mode is the thread's default (enabled):
/// work that needs none sets torch::NoGradGuard itself.
class BackgroundTask : public QObject {
  Q_OBJECT

 public:
  explicit BackgroundTask(QObject* parent = nullptr);
  ~BackgroundTask() override;

  /// Runs `work(TaskContext&)` on a new thread; on the GUI thread, its return
  /// value goes to `onResult` (which takes nothing when the work returns
  /// void), then finished() is emitted. An exception thrown by the work
  /// becomes failed(what()). Returns false, and starts nothing, while a job
  /// runs. `work` and `onResult` must be copyable; the result movable.
  template <typename Work, typename OnResult>
  bool start(Work work, OnResult onResult);

  /// Cancels the running job (see the class comment); nothing when idle.
  void cancel();
  /// From start() until its finished(), failed() or cancelled().
  bool isRunning() const;
  /// Blocks until the running job's work has returned, then delivers what
  /// it sent (progress, posts, the result or error) before returning. For
  /// shutdown paths that must know the outcome; never needed otherwise.
  void wait();

  /// configure_cpu_threads(requested) at the start of every later job's
  /// thread (0 = every core, as training); −1 (the default) leaves the
  /// thread's LibTorch settings alone.
  void setCpuThreads(int requested) { cpuThreads_ = requested; }

 Q_SIGNALS:
  void started();
  /// `fraction` < 0: unknown (busy); see TaskContext::progress.
  void progress(double fraction, const QString& text);
  /// After onResult has run.
  void finished();
  void failed(const QString& message);
  void cancelled();

 private:
  friend class TaskContext;
  using Deliver = std::function<void()>;  ///< hands the result to onResult, on the GUI thread
  using ErasedWork = std::function<Deliver(TaskContext&)>;

  bool startJob(ErasedWork work);
  void runJob(TaskContext::Job* job, const ErasedWork& work, int cpuThreads);
  void postToGui(quint64 jobId, std::function<void()> call);  ///< any thread
  bool isCurrent(quint64 jobId) const;
  void progressPosted(quint64 jobId);
  bool emitPendingProgress();
  void jobEnded(quint64 jobId);

  std::unique_ptr<TaskContext::Job> current_;
  std::vector<std::unique_ptr<TaskContext::Job>> retired_;  ///< cancelled, their threads not yet joined
  quint64 nextJobId_ = 1;
  int cpuThreads_ = -1;
  QTimer* throttle_;  ///< running: a progress signal went out less than a throttle interval ago
};

template <typename Work, typename OnResult>
bool BackgroundTask::start(Work work, OnResult onResult) {
  using Result = std::invoke_result_t<Work&, TaskContext&>;
  return startJob([work = std::move(work), onResult = std::move(onResult)](TaskContext& context) mutable -> Deliver {
    if constexpr (std::is_void_v<Result>) {
      work(context);
      return [onResult] { onResult(); };
    } else {
      // Shared: std::function needs a copyable closure, results need only move.
      auto result = std::make_shared<Result>(work(context));
      return [onResult, result] { onResult(std::move(*result)); };
    }
  });
}

}  // namespace tl
