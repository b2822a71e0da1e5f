// tl_ui_bench: what the GUI costs a run (tests/bench/run_ui.sh; not in ctest).
//
//   tl_ui_bench overhead CLI CONFIG [--reps N]
//     Runs CONFIG alternately with `CLI run CONFIG --out DIR` and in a shown
//     MainWindow (live loss plot, progress, ETA), N times each, and compares
//     the training seconds both write to run.json. A third run in the window
//     each time has a 10 ms precise timer measure how late the event loop
//     serves it: the longest stall and how many exceeded 50 ms. It is a run
//     of its own because the timer's 100 wake-ups a second take the core
//     from a training thread: they added a third to the window's training time (ui_bench.json).
//   tl_ui_bench replot [--points N] [--reps N]
//     Times LossPlot's replot with N batch points (raw and smoothed loss),
//     against the same plot with 1,000 points.
//   tl_ui_bench analysis RUN_DIR [--reps N]
//     Computes RUN_DIR's analysis N times in a shown AnalysisView (analyze_run
//     on its BackgroundTask, then the plots drawn and their PNGs written to
//     RUN_DIR/analysis, as the window does) with the 10 ms stall timer running:
//     the longest event-loop stall while the view analyses.
//
// Each command prints one JSON object per line on stdout.
#include "analysis/analysis_view.h"
#include "main_window/main_window.h"
#include "plot/loss_plot.h"
#include "plot/qcustomplot_no_keywords.h"
#include "session/experiment_session.h"
#include "tasks/background_task.h"
#include "training/training_controller.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using tl::LossPlot;
using tl::MainWindow;

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void print(const QJsonObject& object) {
  std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
  std::fflush(stdout);
}

int optionValue(const QStringList& args, const QString& name, int fallback) {
  const int i = args.indexOf(name);
  return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

QJsonObject readRunJson(const QString& runDir) {
  QFile file(QDir(runDir).filePath(QStringLiteral("run.json")));
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

/// How late a 10 ms precise timer fires while a run trains: each lateness is
/// time the event loop spent on something else (signals, painting, layout).
class StallMeter : public QObject {
 public:
  static constexpr int kIntervalMs = 10;
  StallMeter() {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const double gap = clock_.nsecsElapsed() / 1e6;
      clock_.restart();
      stalls_.push_back(std::max(0.0, gap - kIntervalMs));
    });
  }
  void start() {
    stalls_.clear();
    clock_.start();
    timer_.start();
  }
  void stop() { timer_.stop(); }
  double longestMs() const { return stalls_.empty() ? 0.0 : *std::max_element(stalls_.begin(), stalls_.end()); }
  int countOver(double ms) const {
    return static_cast<int>(std::count_if(stalls_.begin(), stalls_.end(), [ms](double s) { return s > ms; }));
  }
  double percentileMs(double p) const {
    if (stalls_.empty()) return 0.0;
    std::vector<double> v = stalls_;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  }
  int samples() const { return static_cast<int>(stalls_.size()); }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  std::vector<double> stalls_;
};

/// `transferlab-cli run CONFIG --out DIR`; the run's training seconds, or -1.
double runCli(const QString& cli, const QString& config, const QString& outDir, double* wallSeconds) {
  QProcess process;
  process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  QElapsedTimer wall;
  wall.start();
  process.start(cli, {QStringLiteral("run"), config, QStringLiteral("--out"), outDir});
  if (!process.waitForFinished(-1) || process.exitCode() != 0) return -1;
  *wallSeconds = wall.nsecsElapsed() / 1e9;
  return readRunJson(outDir).value(QStringLiteral("seconds")).toDouble(-1);
}

/// CPU seconds the calling thread has used.
double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// The same config in a shown MainWindow, as a person would start it.
/// `stalls`, when given, measures the event loop during the run; `guiCpuSeconds`
/// gets the CPU time the GUI thread used meanwhile (painting, event handling).
double runWindow(MainWindow& window, const QString& config, const QString& runsDir, StallMeter* stalls,
                 double* wallSeconds, double* guiCpuSeconds = nullptr) {
  QFile file(config);
  if (!file.open(QIODevice::ReadOnly)) return -1;
  QString error;
  if (!window.session()->setConfigJson(QString::fromUtf8(file.readAll()), &error)) {
    std::fprintf(stderr, "tl_ui_bench: %s\n", qPrintable(error));
    return -1;
  }
  window.controller()->setRunsDirectory(runsDir);
  QEventLoop loop;
  QObject::connect(window.controller(), &tl::TrainingController::runFinished, &loop, &QEventLoop::quit);
  QElapsedTimer wall;
  wall.start();
  if (stalls) stalls->start();
  const double cpuStart = threadCpuSeconds();
  if (!window.startTraining()) return -1;
  loop.exec();
  if (guiCpuSeconds) *guiCpuSeconds = threadCpuSeconds() - cpuStart;
  if (stalls) stalls->stop();
  *wallSeconds = wall.nsecsElapsed() / 1e9;
  if (window.controller()->state() != tl::TrainingController::State::Finished) return -1;
  return readRunJson(window.controller()->lastRunDir()).value(QStringLiteral("seconds")).toDouble(-1);
}

int overhead(const QStringList& args) {
  if (args.size() < 2) return 2;
  const QString cli = args[0];
  const QString config = args[1];
  const int reps = optionValue(args, QStringLiteral("--reps"), 3);
  QTemporaryDir scratch;
  MainWindow window;
  window.setInteractive(false);
  window.setPersistSettings(false);
  window.resize(1280, 800);
  window.show();
  StallMeter stalls;
  std::vector<double> cliTrain, guiTrain, cliWall, guiWall, probedTrain, pairedRatio, guiCpuShare;
  double worstStall = 0;
  int over50 = 0, samples = 0;
  std::vector<double> p99;
  for (int rep = 1; rep <= reps; ++rep) {
    double cw = 0, gw = 0;
    const double c = runCli(cli, config, QDir(scratch.path()).filePath(QStringLiteral("cli-%1").arg(rep)), &cw);
    const QString guiDir = QDir(scratch.path()).filePath(QStringLiteral("gui"));
    double guiCpu = 0;
    const double g = runWindow(window, config, guiDir, nullptr, &gw, &guiCpu);
    double probedWall = 0;
    const double probed = runWindow(window, config, guiDir, &stalls, &probedWall);
    if (c < 0 || g < 0 || probed < 0) {
      std::fprintf(stderr, "tl_ui_bench: repetition %d failed (cli %.2f, window %.2f, probed %.2f)\n", rep, c, g,
                   probed);
      return 1;
    }
    cliTrain.push_back(c);
    guiTrain.push_back(g);
    probedTrain.push_back(probed);
    pairedRatio.push_back(g / c);
    guiCpuShare.push_back(guiCpu / gw);
    cliWall.push_back(cw);
    guiWall.push_back(gw);
    worstStall = std::max(worstStall, stalls.longestMs());
    over50 += stalls.countOver(50);
    samples += stalls.samples();
    p99.push_back(stalls.percentileMs(0.99));
    std::fprintf(stderr,
                 "tl_ui_bench: rep %d: training cli %.2f s, window %.2f s (GUI thread CPU %.2f s), window with "
                 "stall timer %.2f s; longest stall %.1f ms\n",
                 rep, c, g, guiCpu, probed, stalls.longestMs());
  }
  print(QJsonObject{{QStringLiteral("job"), QStringLiteral("gui-overhead")},
                    {QStringLiteral("config"), config},
                    {QStringLiteral("repetitions"), reps},
                    {QStringLiteral("cli_train_seconds"), median(cliTrain)},
                    {QStringLiteral("gui_train_seconds"), median(guiTrain)},
                    {QStringLiteral("overhead_train"), median(guiTrain) / median(cliTrain) - 1},
                    {QStringLiteral("overhead_train_paired"), median(pairedRatio) - 1},
                    {QStringLiteral("gui_with_stall_timer_train_seconds"), median(probedTrain)},
                    {QStringLiteral("gui_thread_cpu_share_of_wall"), median(guiCpuShare)},
                    {QStringLiteral("cli_wall_seconds"), median(cliWall)},
                    {QStringLiteral("gui_wall_seconds"), median(guiWall)},
                    {QStringLiteral("overhead_wall"), median(guiWall) / median(cliWall) - 1},
                    {QStringLiteral("stall_longest_ms"), worstStall},
                    {QStringLiteral("stall_p99_ms"), median(p99)},
                    {QStringLiteral("stalls_over_50ms"), over50},
                    {QStringLiteral("stall_samples"), samples}});
  return 0;
}

/// Median milliseconds of an immediate replot of `plot` with `points` batch points.
double timeReplot(int points, int reps) {
  LossPlot plot;
  plot.resize(1000, 700);
  plot.show();
  const int batchesPerEpoch = 100;
  plot.beginRun(QStringLiteral("bench"), points / batchesPerEpoch);
  for (int i = 0; i < points; ++i) {
    const int epoch = i / batchesPerEpoch + 1;
    const int batch = i % batchesPerEpoch + 1;
    plot.addBatch(epoch, batch, batchesPerEpoch, 2.0 / (1.0 + 0.001 * i) + 0.1 * ((i * 7919) % 101) / 101.0);
  }
  plot.flushPending();
  QCoreApplication::processEvents();
  std::vector<double> ms;
  for (int r = 0; r < reps + 2; ++r) {
    QElapsedTimer t;
    t.start();
    plot.customPlot()->replot(QCustomPlot::rpImmediateRefresh);
    if (r >= 2) ms.push_back(t.nsecsElapsed() / 1e6);  // two warm-up replots
  }
  return median(ms);
}

int replot(const QStringList& args) {
  const int points = optionValue(args, QStringLiteral("--points"), 100000);
  const int reps = optionValue(args, QStringLiteral("--reps"), 20);
  const double small = timeReplot(1000, reps);
  const double large = timeReplot(points, reps);
  print(QJsonObject{{QStringLiteral("job"), QStringLiteral("replot")},
                    {QStringLiteral("points"), points},
                    {QStringLiteral("replot_ms"), large},
                    {QStringLiteral("baseline_points"), 1000},
                    {QStringLiteral("baseline_replot_ms"), small},
                    {QStringLiteral("ratio"), large / small}});
  return 0;
}

/// One analysis in `view`, measured by `stalls`; the wall seconds, or -1 when it failed.
double analyseOnce(tl::AnalysisView& view, StallMeter& stalls) {
  QEventLoop loop;
  tl::BackgroundTask* task = view.task();
  bool ok = false;
  // The last stall ends when the plot images are written; the timer samples
  // it on its next tick, so the loop runs a little longer.
  const auto finished = QObject::connect(&view, &tl::AnalysisView::plotImagesWritten, &loop, [&] {
    ok = true;
    QTimer::singleShot(3 * StallMeter::kIntervalMs, &loop, &QEventLoop::quit);
  });
  const auto failed = QObject::connect(task, &tl::BackgroundTask::failed, &loop, [&](const QString& message) {
    std::fprintf(stderr, "tl_ui_bench: analysis failed: %s\n", qPrintable(message));
    loop.quit();
  });
  QElapsedTimer wall;
  wall.start();
  stalls.start();
  view.analyse();
  loop.exec();
  stalls.stop();
  QObject::disconnect(finished);
  QObject::disconnect(failed);
  return ok ? wall.nsecsElapsed() / 1e9 : -1;
}

int analysis(const QStringList& args) {
  if (args.isEmpty()) return 2;
  const QString runDir = args[0];
  const int reps = optionValue(args, QStringLiteral("--reps"), 3);
  tl::AnalysisView view;
  view.resize(1280, 700);
  view.show();
  view.setRun(runDir);
  view.task()->wait();  // a stored analysis is read first; not measured
  QCoreApplication::processEvents();
  StallMeter stalls;
  std::vector<double> wall, longest, p99;
  int over50 = 0, samples = 0;
  for (int rep = 1; rep <= reps; ++rep) {
    const double seconds = analyseOnce(view, stalls);
    if (seconds < 0) return 1;
    wall.push_back(seconds);
    longest.push_back(stalls.longestMs());
    p99.push_back(stalls.percentileMs(0.99));
    over50 += stalls.countOver(50);
    samples += stalls.samples();
    std::fprintf(stderr, "tl_ui_bench: analysis %d: %.2f s, longest stall %.1f ms, p99 %.1f ms, %d over 50 ms\n", rep,
                 seconds, stalls.longestMs(), stalls.percentileMs(0.99), stalls.countOver(50));
  }
  print(QJsonObject{{QStringLiteral("job"), QStringLiteral("analysis-view")},
                    {QStringLiteral("run_dir"), runDir},
                    {QStringLiteral("repetitions"), reps},
                    {QStringLiteral("analysis_wall_seconds"), median(wall)},
                    {QStringLiteral("stall_longest_ms"), *std::max_element(longest.begin(), longest.end())},
                    {QStringLiteral("stall_longest_median_ms"), median(longest)},
                    {QStringLiteral("stall_p99_ms"), median(p99)},
                    {QStringLiteral("stalls_over_50ms"), over50},
                    {QStringLiteral("stall_samples"), samples}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Settings, history and caches of the benchmark stay out of the user's.
  QTemporaryDir home;
  for (const char* variable : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"}) {
    const QString dir = QDir(home.path()).filePath(QString::fromLatin1(variable));
    QDir().mkpath(dir);
    qputenv(variable, QFile::encodeName(dir));
  }
  qputenv("TRANSFERLAB_DATA_DIR", QFile::encodeName(home.path()));
  QApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("transferlab-ui-bench"));
  QStringList args = app.arguments().mid(1);
  const QString command = args.isEmpty() ? QString() : args.takeFirst();
  if (command == QLatin1String("overhead")) {
    const int rc = overhead(args);
    if (rc == 2) std::fprintf(stderr, "usage: tl_ui_bench overhead CLI CONFIG [--reps N]\n");
    return rc;
  }
  if (command == QLatin1String("replot")) return replot(args);
  if (command == QLatin1String("analysis")) {
    const int rc = analysis(args);
    if (rc == 2) std::fprintf(stderr, "usage: tl_ui_bench analysis RUN_DIR [--reps N]\n");
    return rc;
  }
  std::fprintf(stderr,
               "usage: tl_ui_bench overhead CLI CONFIG [--reps N] | replot [--points N] [--reps N] | "
               "analysis RUN_DIR [--reps N]\n");
  return 2;
}
