// transferlab: the desktop application.
//
//   transferlab [--preset FILE] [--epochs N] [--twin] [--seeds K] [--demo] [--screenshot FILE.png]
//               [--presentation FACTOR] [--lesson-step N [--lesson-answer TEXT]]
//   transferlab --analysis RUN_DIR [--analysis-page NAME] [--screenshot FILE.png]
//   transferlab --sweep SWEEP_DIR [--screenshot FILE.png]
//
// --demo trains the preset (default: resources/presets/default.json) with the
// live plot. With --screenshot it then saves the picture and exits 0 when the
// run finished, non-zero with a message on stderr otherwise; without it the
// window stays open for the audience to explore. --screenshot alone shows the
// window, grabs it once it is laid out, and exits. --twin and --seeds tick
// "Compare with twin" and set the seeds, as `transferlab-cli run --twin --seeds K`.
// --analysis opens a run folder's analysis on the Analysis tab (its stored
// analysis, else computed there), on the page --analysis-page names; with
// --screenshot the picture is taken once the analysis is shown.
// --sweep shows a sweep folder (its sweep.json, from the window or
// `transferlab-cli sweep`) on the Sweep tab; with --screenshot, then exits.
// --presentation opens the window in presentation mode at FACTOR (1.25-1.5),
// for this launch only: the saved View settings are left as they were.
// --lesson-step walks the preset's lesson to step N as a class would,
// answering its question with --lesson-answer; a step that waits for the run
// (a reveal) is as far as it goes before --demo's run ends.

#include "analysis/analysis_view.h"
#include "lesson/lesson_bar.h"
#include "main_window/analysis_launch.h"
#include "main_window/main_window.h"
#include "main_window/presentation_mode.h"
#include "main_window/training_controls.h"
#include "plot/loss_plot.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "train/cpu_threads.h"
#include "weights/pretrained_catalog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QPixmap>
#include <QScreen>
#include <QTimer>

#include <cstdio>
#include <optional>

namespace {

struct Options {
  bool demo = false;
  std::optional<int> epochs;
  bool twin = false;
  int seeds = 1;
  QString screenshot;
  QString preset;
  QString analysis;  ///< a run folder
  QString sweep;     ///< a sweep folder
  tl::AnalysisView::Page analysisPage = tl::AnalysisView::Page::Confusion;
  std::optional<double> presentation;  ///< presentation mode's factor
  int lessonStep = 0;    ///< 1-based, as the lesson bar counts; 0: stay on the first
  QString lessonAnswer;  ///< the answer given to the lesson's question on the way
};

/// Exit codes: 0 finished, 1 the run failed or was cancelled, 2 bad usage or input.
constexpr int kExitRunFailed = 1;
constexpr int kExitBadInput = 2;
/// Time for layouts, the queued replot and the first paint before a grab.
constexpr int kSettleMs = 600;

int fail(const QString& message, int code) {
  std::fprintf(stderr, "transferlab: %s\n", qUtf8Printable(message));
  return code;
}

std::optional<Options> parse_options(const QApplication& app, QString* error) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Transfer Lab: a desktop laboratory for transfer learning"));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption demo(QStringLiteral("demo"),
                                QStringLiteral("Train the preset (default.json unless --preset) at once; with --screenshot, then exit."));
  const QCommandLineOption epochs(QStringLiteral("epochs"), QStringLiteral("Override the preset's epochs."),
                                  QStringLiteral("N"));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Save a PNG of the window and exit (after the run with --demo)."),
                                      QStringLiteral("FILE.png"));
  const QCommandLineOption preset(QStringLiteral("preset"), QStringLiteral("Open this experiment preset."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption twin(QStringLiteral("twin"),
                                QStringLiteral("Compare with the run's twin (scratch, or source-only for DANN)."));
  const QCommandLineOption seeds(QStringLiteral("seeds"), QStringLiteral("Repeat the run over K seeds (1-10)."),
                                 QStringLiteral("K"));
  const QCommandLineOption analysis(
      QStringLiteral("analysis"),
      QStringLiteral("Open a run folder's analysis on the Analysis tab (computed when it has none)."),
      QStringLiteral("RUN_DIR"));
  const QCommandLineOption analysisPage(
      QStringLiteral("analysis-page"),
      QStringLiteral("The Analysis page to show: %1.").arg(tl::AnalysisView::pageNames().join(QStringLiteral(", "))),
      QStringLiteral("NAME"));
  const QCommandLineOption presentation(
      QStringLiteral("presentation"),
      QStringLiteral("Presentation mode at this factor (%1-%2), for this launch only.")
          .arg(tl::PresentationMode::kMinFactor)
          .arg(tl::PresentationMode::kMaxFactor),
      QStringLiteral("FACTOR"));
  const QCommandLineOption lessonStep(
      QStringLiteral("lesson-step"),
      QStringLiteral("Walk the preset's lesson to step N (a step waiting for the run stops it until --demo's run ends)."),
      QStringLiteral("N"));
  const QCommandLineOption lessonAnswer(QStringLiteral("lesson-answer"),
                                        QStringLiteral("The answer --lesson-step gives the lesson's question."),
                                        QStringLiteral("TEXT"));
  const QCommandLineOption sweep(QStringLiteral("sweep"),
                                 QStringLiteral("Show a sweep folder (its sweep.json) on the Sweep tab."),
                                 QStringLiteral("SWEEP_DIR"));
  parser.addOptions({demo, epochs, twin, seeds, screenshot, preset, analysis, analysisPage, sweep, presentation,
                     lessonStep, lessonAnswer});
  parser.process(app);  // exits on --help, --version and unknown options

  Options options;
  options.demo = parser.isSet(demo);
  options.screenshot = parser.value(screenshot);
  options.preset = parser.value(preset);
  if (parser.isSet(epochs)) {
    bool ok = false;
    const int n = parser.value(epochs).toInt(&ok);
    if (!ok || n < 1) {
      *error = QStringLiteral("--epochs: expected an integer >= 1, got '%1'").arg(parser.value(epochs));
      return std::nullopt;
    }
    options.epochs = n;
  }
  options.twin = parser.isSet(twin);
  if (parser.isSet(seeds)) {
    bool ok = false;
    const int k = parser.value(seeds).toInt(&ok);
    if (!ok || k < 1 || k > 10) {
      *error = QStringLiteral("--seeds: expected an integer from 1 to 10, got '%1'").arg(parser.value(seeds));
      return std::nullopt;
    }
    options.seeds = k;
  }
  if (parser.isSet(presentation)) {
    bool ok = false;
    const double factor = parser.value(presentation).toDouble(&ok);
    if (!ok || factor < tl::PresentationMode::kMinFactor || factor > tl::PresentationMode::kMaxFactor) {
      *error = QStringLiteral("--presentation: expected a factor from %1 to %2, got '%3'")
                   .arg(tl::PresentationMode::kMinFactor)
                   .arg(tl::PresentationMode::kMaxFactor)
                   .arg(parser.value(presentation));
      return std::nullopt;
    }
    options.presentation = factor;
  }
  if (parser.isSet(lessonStep)) {
    bool ok = false;
    options.lessonStep = parser.value(lessonStep).toInt(&ok);
    if (!ok || options.lessonStep < 1) {
      *error = QStringLiteral("--lesson-step: expected an integer >= 1, got '%1'").arg(parser.value(lessonStep));
      return std::nullopt;
    }
  }
  options.lessonAnswer = parser.value(lessonAnswer);
  if (!options.lessonAnswer.isEmpty() && !options.lessonStep) {
    *error = QStringLiteral("--lesson-answer needs --lesson-step N");
    return std::nullopt;
  }
  options.analysis = parser.value(analysis);
  if (options.demo && !options.analysis.isEmpty()) {
    *error = QStringLiteral("--demo and --analysis: choose one (--analysis opens a finished run)");
    return std::nullopt;
  }
  options.sweep = parser.value(sweep);
  if (!options.sweep.isEmpty() && (options.demo || !options.analysis.isEmpty())) {
    *error = QStringLiteral("--sweep with --demo or --analysis: choose one");
    return std::nullopt;
  }
  if (parser.isSet(analysisPage)) {
    const auto page = tl::AnalysisView::pageNamed(parser.value(analysisPage));
    if (!page || options.analysis.isEmpty()) {
      *error = page ? QStringLiteral("--analysis-page needs --analysis RUN_DIR")
                    : QStringLiteral("--analysis-page: expected one of %1, got '%2'")
                          .arg(tl::AnalysisView::pageNames().join(QStringLiteral(", ")), parser.value(analysisPage));
      return std::nullopt;
    }
    options.analysisPage = *page;
  }
  if (options.demo && options.preset.isEmpty()) {
    options.preset = QDir(QString::fromStdString(tl::resource_dir())).filePath(QStringLiteral("presets/default.json"));
  }
  return options;
}

bool save_screenshot(QWidget& window, const QString& path) {
  const bool saved = window.grab().save(path, "PNG");
  if (saved) std::fprintf(stderr, "transferlab: wrote %s\n", qUtf8Printable(path));
  else std::fprintf(stderr, "transferlab: could not write %s\n", qUtf8Printable(path));
  return saved;
}

/// Batch runs get a fixed, screen-filling window: no window manager, no
/// restored geometry, the same picture each time.
void show_for_batch(QWidget& window) {
  const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
  window.setGeometry(screen);
  window.show();
}

/// The demo's end. An interactive demo (no --screenshot) keeps the window
/// open: the run's outcome is in its status bar. For docs and tests: exit 1
/// unless the run finished; else screenshot (once the last points are drawn)
/// and exit 0.
void finish_demo(QWidget& window, const Options& options, tl::TrainingController& controller,
                 tl::TrainingController::State status, const QString& message, double testAccuracy) {
  using State = tl::TrainingController::State;
  if (options.screenshot.isEmpty()) return;
  if (status != State::Finished) {
    // A failure is already on stderr: the window reports errors there in batch use.
    if (status != State::Failed) {
      fail(QStringLiteral("training %1 %2").arg(tl::TrainingController::stateName(status), message), kExitRunFailed);
    }
    QCoreApplication::exit(kExitRunFailed);
    return;
  }
  std::fprintf(stderr, "transferlab: demo finished, test accuracy %.1f%%, run saved to %s\n", 100.0 * testAccuracy,
               qUtf8Printable(controller.lastRunDir()));
  QTimer::singleShot(kSettleMs, &window, [&window, options] {
    const bool ok = options.screenshot.isEmpty() || save_screenshot(window, options.screenshot);
    QCoreApplication::exit(ok ? 0 : kExitRunFailed);
  });
}

/// --demo: train the loaded preset with the live plot, then finish_demo.
void run_demo(tl::MainWindow& window, const Options& options) {
  tl::TrainingController* controller = window.controller();
  QObject::connect(controller, &tl::TrainingController::runFinished, &window,
                   [&window, options, controller](tl::TrainingController::State status, const QString& message,
                                                  double testAccuracy) {
                     window.lossPlot()->flushPending();
                     finish_demo(window, options, *controller, status, message, testAccuracy);
                   });
  QTimer::singleShot(0, &window, [&window] {
    if (!window.startTraining()) QCoreApplication::exit(fail(QStringLiteral("could not start training"), kExitRunFailed));
  });
}

/// --lesson-step: walks the loaded lesson to the step asked for. When the
/// reveal waits for the run, the demo's run takes it the rest of the way.
bool walk_lesson(tl::MainWindow& window, const Options& options) {
  tl::LessonBar* bar = window.lessonBar();
  if (!bar->isRunning()) {
    fail(QStringLiteral("--lesson-step: the preset has no lesson"), kExitBadInput);
    return false;
  }
  if (options.lessonStep > bar->stepCount()) {
    fail(QStringLiteral("--lesson-step: the lesson has %1 steps, asked for %2").arg(bar->stepCount()).arg(options.lessonStep),
         kExitBadInput);
    return false;
  }
  const int target = options.lessonStep - 1;
  const auto walk = [bar, target, answer = options.lessonAnswer] { return bar->advanceTo(target, answer) == target; };
  if (walk()) return true;
  if (!bar->choiceButtons().isEmpty() && !bar->answer(bar->step())) {
    fail(QStringLiteral("--lesson-step: step %1 asks a question; --lesson-answer must be one of its answers")
             .arg(bar->step() + 1),
         kExitBadInput);
    return false;
  }
  if (!options.demo) {
    fail(QStringLiteral("--lesson-step: step %1 waits for the run (add --demo)").arg(bar->step() + 1), kExitBadInput);
    return false;
  }
  QObject::connect(window.controller(), &tl::TrainingController::comparisonFinished, bar, [walk] { walk(); },
                   Qt::QueuedConnection);
  return true;
}

/// --analysis: the run's analysis on its page. With --screenshot, the picture
/// once it is shown (exit 0), or exit 1 with the reason when it could not be.
bool open_analysis(tl::MainWindow& window, const Options& options) {
  tl::AnalysisLaunchCallbacks callbacks;
  if (!options.screenshot.isEmpty()) {
    callbacks.ready = [&window, options] {
      QTimer::singleShot(kSettleMs, &window, [&window, options] {
        QCoreApplication::exit(save_screenshot(window, options.screenshot) ? 0 : kExitRunFailed);
      });
    };
    callbacks.failed = [](const QString& reason) {
      QCoreApplication::exit(fail(QStringLiteral("analysis failed: %1").arg(reason), kExitRunFailed));
    };
  }
  QString error;
  if (tl::openRunAnalysis(window, options.analysis, options.analysisPage, callbacks, &error)) return true;
  fail(QStringLiteral("--analysis: %1").arg(error), kExitBadInput);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  tl::configure_cpu_threads();  // OpenBLAS beside LibTorch's threads; the trainer applies it per thread too
  QApplication::setOrganizationName(QStringLiteral("TransferLab"));
  QApplication::setApplicationName(QStringLiteral("transferlab"));
  QApplication::setApplicationDisplayName(QStringLiteral("Transfer Lab"));
  QApplication::setApplicationVersion(QStringLiteral(TL_VERSION));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/transferlab.png")));

  QString error;
  const std::optional<Options> options = parse_options(app, &error);
  if (!options) return fail(error, kExitBadInput);
  const bool batch = options->demo || !options->screenshot.isEmpty();

  tl::MainWindow window;
  window.setInteractive(!batch);
  window.setPersistSettings(!batch);  // a demo must not replace the user's last session
  if (!options->preset.isEmpty()) {
    // In batch use the reason is already on stderr (the window reports session errors there).
    // Interactively the window has shown why and keeps its default session.
    if (!window.loadPreset(options->preset, &error) && batch) {
      return fail(QStringLiteral("could not open the preset %1").arg(options->preset), kExitBadInput);
    }
  } else if (!batch) {
    window.restoreLastConfig();  // on first launch the session starts from default.json
  }
  if (options->epochs) window.session()->setEpochs(*options->epochs);
  if (options->presentation) {
    tl::PresentationMode* mode = window.findChild<tl::PresentationMode*>();
    mode->setPersistent(false);
    mode->setFactor(*options->presentation);
    mode->setOn(true);
  }
  if (options->twin || options->seeds > 1) window.trainingControls()->setRunOptions({options->twin, options->seeds});
  if (options->lessonStep && !walk_lesson(window, *options)) return kExitBadInput;

  if (batch) {
    show_for_batch(window);
  } else {
    window.restoreLayout();
    window.show();
  }
  if (options->demo) {
    run_demo(window, *options);
  } else if (!options->analysis.isEmpty()) {
    if (!open_analysis(window, *options)) return kExitBadInput;
  } else if (!options->sweep.isEmpty()) {
    if (!window.openSweep(options->sweep, &error)) return fail(QStringLiteral("--sweep: %1").arg(error), kExitBadInput);
    if (!options->screenshot.isEmpty()) {
      QTimer::singleShot(kSettleMs, &window, [&window, &options] {
        QCoreApplication::exit(save_screenshot(window, options->screenshot) ? 0 : kExitRunFailed);
      });
    }
  } else if (!options->screenshot.isEmpty()) {
    QTimer::singleShot(kSettleMs, &window, [&window, &options] {
      QCoreApplication::exit(save_screenshot(window, options->screenshot) ? 0 : kExitRunFailed);
    });
  }
  return app.exec();
}
