#pragma once

// Torch-free (Q_OBJECT): the analysis types are only declared here.

#include "analysis/confusion_plot.h"

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace tl {

class BackgroundTask;
class ClassGapPlot;
class FeatureMapPlot;
class GalleryDialog;
class GradCamPanel;
class ImageGallery;
class TaskProgressBar;
struct AnalysisOptions;
struct RunAnalysis;

/// Why a finished run did as it did, beside the curves: its confusion
/// matrices (and its twin's, and the difference), the per-class transfer gap,
/// the most confused pairs and the test images with the highest loss, the
/// feature map and Grad-CAM. A cell, a pair or a top-loss image opens its test
/// images; a chosen image goes to Grad-CAM.
///
/// setRun() opens the analysis the run folder already holds
/// (RUN_DIR/analysis/analysis.json, read without recomputing) or offers
/// "Analyse this run"; analyse() computes it with core's analyze_run on a
/// BackgroundTask (progress, Cancel) and then writes PNGs of the plots into
/// RUN_DIR/analysis/ (confusion.png, class_gap.png with a twin,
/// feature_map.png). Errors show as a message in the view.
class AnalysisView : public QWidget {
  Q_OBJECT

 public:
  /// The pages, in tab order.
  enum class Page { Confusion, ClassGap, Errors, FeatureMap, GradCam };
  Q_ENUM(Page)

  explicit AnalysisView(QWidget* parent = nullptr);
  ~AnalysisView() override;

  /// Opens `runDir`: its stored analysis when it has one, else an offer to
  /// analyse it. Cancels an analysis under way.
  void setRun(const QString& runDir);
  QString runDir() const;
  /// A run that just finished: opened as setRun() does, unless an analysis
  /// is under way (the person asked for that one); false then.
  bool offerRun(const QString& runDir);
  /// Whether RUN_DIR/analysis/analysis.json exists.
  static bool hasStoredAnalysis(const QString& runDir);

  /// What analyse() computes (fewer feature-map images and t-SNE iterations
  /// for quick checks); by default core's defaults.
  void setAnalysisOptions(const AnalysisOptions& options);

  /// The analysis shown; null before one arrives.
  const RunAnalysis* analysis() const;
  /// The message over the pages: an error, or what was opened and its notes.
  QString message() const;
  bool showsError() const;
  /// The run's test images (empty when they could not be rebuilt, see message()).
  const QVector<QImage>& testImages() const;

  ConfusionPlot* confusionPlot() const { return confusion_; }
  ClassGapPlot* classGapPlot() const { return gap_; }
  QTableWidget* confusedPairs() const { return pairs_; }
  ImageGallery* topLosses() const { return topLosses_; }
  GalleryDialog* gallery() const { return gallery_; }
  GradCamPanel* gradCamPanel() const { return gradCam_; }
  FeatureMapPlot* featureMapPlot() const { return featureMap_; }
  QPushButton* analyseButton() const { return analyse_; }
  BackgroundTask* task() const { return task_; }
  TaskProgressBar* progressBar() const { return progress_; }
  QTabWidget* pages() const { return pages_; }
  void showPage(Page page);
  /// A page's name, as `transferlab --analysis-page` takes it and as its
  /// exported file is called: confusion-matrix, class-gap, confusions,
  /// feature-map, grad-cam.
  static QString pageName(Page page);
  /// Every page's name, in tab order.
  static QStringList pageNames();
  /// The page called `name`; nullopt for a name no page has.
  static std::optional<Page> pageNamed(const QString& name);

  /// The page on screen, at a fixed size for the plots.
  bool exportPng(const QString& path);
  bool exportPdf(const QString& path);

 public Q_SLOTS:
  /// Computes the run's analysis (again, when it has one).
  void analyse();
  /// setRun, then analyse() when the run has no stored analysis.
  void analyseRun(const QString& runDir);
  /// The gallery of a confusion cell: the test images of `trueClass`
  /// predicted as `predicted` by the panel's model.
  void openCell(tl::ConfusionPlot::Panel panel, int trueClass, int predicted);
  /// Shows test image `testIndex` in the Grad-CAM page.
  void explainImage(qint64 testIndex);
  void exportPngWithDialog();
  void exportPdfWithDialog();

 Q_SIGNALS:
  /// An analysis (stored or computed) is on screen.
  void analysisShown();
  /// After a computed analysis: the PNGs of its plots are in RUN_DIR/analysis
  /// (or the message says why not).
  void plotImagesWritten();
  /// A test image was chosen (gallery, top losses) and sent to Grad-CAM.
  void imageExplained(qint64 testIndex);
  void exported(const QString& path);
  void exportFailed(const QString& message);

 private:
  struct Loaded;
  void buildPages();
  void buildHeader();
  void openStored();
  void showLoaded(const Loaded& loaded);
  struct PlotImage;
  void writePlotImages();
  std::vector<PlotImage> recordPlotImages();
  void plotImagesDone(const QStringList& problems);
  void openGradCamRun();
  void fillConfusedPairs();
  void fillTopLosses();
  void showMessage(const QString& text, bool error);
  void resetContent();
  QImage testImage(qint64 index) const;
  void exportWithDialog(bool pdf);
  /// The current page's content (inside its scroll area, for those that scroll).
  QWidget* currentPage() const;

  struct State;
  std::unique_ptr<State> s_;
  BackgroundTask* task_;
  BackgroundTask* imageWriter_;  ///< rasterises and writes the plot images off the GUI thread
  QTimer* imageRecording_;       ///< records them once the filled pages are on screen
  TaskProgressBar* progress_ = nullptr;
  QLabel* title_ = nullptr;
  QLabel* message_ = nullptr;
  QPushButton* analyse_ = nullptr;
  QPushButton* exportPng_ = nullptr;
  QPushButton* exportPdf_ = nullptr;
  QTabWidget* pages_ = nullptr;
  ConfusionPlot* confusion_ = nullptr;
  ClassGapPlot* gap_ = nullptr;
  QTableWidget* pairs_ = nullptr;
  ImageGallery* topLosses_ = nullptr;
  GalleryDialog* gallery_ = nullptr;
  GradCamPanel* gradCam_ = nullptr;
  FeatureMapPlot* featureMap_ = nullptr;
};

}  // namespace tl
