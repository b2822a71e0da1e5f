#include "analysis/analysis_view.h"

#include "analysis/analysis_files.h"
#include "analysis/analysis_reader.h"
#include "analysis/class_gap_plot.h"
#include "analysis/feature_map_plot.h"
#include "analysis/grad_cam_panel.h"
#include "analysis/image_gallery.h"
#include "analysis/plot_png.h"
#include "analysis/run_analysis.h"
#include "analysis/run_folder.h"
#include "panels/tensor_image.h"
#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"
#include "util/atomic_file.h"
#include "util/text_format.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QVBoxLayout>


namespace tl {

namespace {

/// How long after filling the pages the plot images are recorded: the pages'
/// first layout and paint come first, so the two pauses do not add up into
/// one (together over 50 ms in tl_ui_bench analysis).
constexpr int kRecordDelayMs = 100;
constexpr int kExportWidth = 1500;
constexpr int kExportHeight = 600;
/// The size FeatureMapPlot::exportTo draws at (the test compares the two).
constexpr QSize kFeatureMapExportSize(900, 700);

QString qs(const std::string& text) { return QString::fromStdString(text); }

/// The run's test images as the analysis indexes them, rebuilt from its
/// config; empty with `problem` set when they cannot be.
QVector<QImage> rebuildTestImages(const std::string& runDir, int64_t expected, const TaskContext& context,
                                  QString* problem) {
  QVector<QImage> images;
  try {
    const Dataset pixels = run_test_pixels(load_run_folder(runDir));
    if (pixels.size() != expected) {
      *problem = QObject::tr("The run's test set, rebuilt from its config, has %1 images but the analysis %2: "
                             "images are not shown.")
                     .arg(pixels.size())
                     .arg(expected);
      return {};
    }
    images.reserve(static_cast<int>(pixels.size()));
    for (int64_t i = 0; i < pixels.size() && !context.cancelled(); ++i) images << tensorToImage(pixels.images[i]);
  } catch (const std::exception& e) {
    *problem = QObject::tr("Test images are not shown: %1").arg(qs(e.what()));
    return {};
  }
  return images;
}

QScrollArea* scrollable(QWidget* page) {
  auto* area = new QScrollArea;
  area->setWidget(page);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  return area;
}

/// "87.3%" for a probability.
QString percent(double fraction) { return qs(format_percent(fraction)); }

}  // namespace

/// What a job hands to the GUI thread.
struct AnalysisView::Loaded {
  std::shared_ptr<const RunAnalysis> analysis;
  QVector<QImage> images;
  QString imagesProblem;
  bool computed = false;  ///< by analyze_run, not read back
};

struct AnalysisView::State {
  QString runDir;
  AnalysisOptions options;
  std::shared_ptr<const RunAnalysis> analysis;
  QVector<QImage> images;
  QString imagesProblem;
  bool error = false;
  bool computing = false;  ///< the job under way is analyze_run, not a read
  bool gradCamWaiting = false;  ///< the Grad-CAM page is to load the run when first needed
};

AnalysisView::AnalysisView(QWidget* parent)
    : QWidget(parent), s_(std::make_unique<State>()), task_(new BackgroundTask(this)),
      imageWriter_(new BackgroundTask(this)), imageRecording_(new QTimer(this)) {
  imageRecording_->setSingleShot(true);
  imageRecording_->setInterval(kRecordDelayMs);
  connect(imageRecording_, &QTimer::timeout, this, &AnalysisView::writePlotImages);
  buildHeader();
  buildPages();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  for (QPushButton* button : {analyse_, exportPng_, exportPdf_}) header->addWidget(button);
  layout->addLayout(header);
  layout->addWidget(progress_);
  layout->addWidget(message_);
  layout->addWidget(pages_, 1);

  connect(task_, &BackgroundTask::started, this, [this] { analyse_->setEnabled(false); });
  connect(task_, &BackgroundTask::failed, this, [this](const QString& text) {
    analyse_->setEnabled(true);
    showMessage(text, true);
  });
  connect(imageWriter_, &BackgroundTask::failed, this,
          [this](const QString& text) { plotImagesDone({text}); });
  connect(task_, &BackgroundTask::cancelled, this, [this] {
    analyse_->setEnabled(true);
    showMessage(s_->computing ? tr("Analysis cancelled; nothing was written.") : tr("Opening the analysis cancelled."),
                false);
  });
  setRun(QString());
}

AnalysisView::~AnalysisView() = default;

void AnalysisView::buildHeader() {
  title_ = new QLabel;
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  analyse_ = new QPushButton(tr("Analyse this run"));
  analyse_->setToolTip(tr("Confusion matrices, per-class gaps, top losses and feature maps of the run's models "
                          "on its test images; written to the run's analysis folder"));
  connect(analyse_, &QPushButton::clicked, this, &AnalysisView::analyse);
  exportPng_ = new QPushButton(tr("Export PNG…"));
  exportPdf_ = new QPushButton(tr("Export PDF…"));
  exportPng_->setToolTip(tr("Save the page on screen as an image"));
  exportPdf_->setToolTip(tr("Save the page on screen as a PDF document"));
  connect(exportPng_, &QPushButton::clicked, this, &AnalysisView::exportPngWithDialog);
  connect(exportPdf_, &QPushButton::clicked, this, &AnalysisView::exportPdfWithDialog);
  progress_ = new TaskProgressBar(task_);
  progress_->cancelOnEscapeIn(this);
  message_ = new QLabel;
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void AnalysisView::buildPages() {
  confusion_ = new ConfusionPlot;
  connect(confusion_, &ConfusionPlot::cellActivated, this, &AnalysisView::openCell);
  gap_ = new ClassGapPlot;

  pairs_ = new QTableWidget(0, 4);
  pairs_->setHorizontalHeaderLabels({tr("True class"), tr("Predicted as"), tr("Images"), tr("Twin's images")});
  pairs_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  pairs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  pairs_->setSelectionBehavior(QAbstractItemView::SelectRows);
  pairs_->setToolTip(tr("Double-click a pair, or press Enter on it, to see its test images"));
  connect(pairs_, &QTableWidget::cellActivated, this, [this](int row, int) {
    const QTableWidgetItem* item = pairs_->item(row, 0);
    openCell(ConfusionPlot::Panel::Transfer, item->data(Qt::UserRole).toInt(), item->data(Qt::UserRole + 1).toInt());
  });
  topLosses_ = new ImageGallery;
  connect(topLosses_, &ImageGallery::imageChosen, this, &AnalysisView::explainImage);
  auto* errors = new QSplitter(Qt::Horizontal);
  const auto titled = [](const QString& title, QWidget* content) {
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(new QLabel(title));
    column->addWidget(content, 1);
    return box;
  };
  errors->addWidget(titled(tr("Most confused pairs (transfer model)"), pairs_));
  errors->addWidget(titled(tr("Highest losses (transfer model): click one for Grad-CAM"), topLosses_));

  featureMap_ = new FeatureMapPlot;
  gradCam_ = new GradCamPanel;
  gallery_ = new GalleryDialog(this);
  connect(gallery_, &GalleryDialog::imageChosen, this, &AnalysisView::explainImage);

  pages_ = new QTabWidget;
  pages_->setDocumentMode(true);
  pages_->addTab(confusion_, tr("Confusion matrix"));
  pages_->addTab(gap_, tr("Per-class gap"));
  // Pages whose content needs more height than a small laptop leaves the
  // tab scroll instead of squeezing the layer tree above the tabs.
  pages_->addTab(scrollable(errors), tr("Confusions && top losses"));
  pages_->addTab(scrollable(featureMap_), tr("Feature map"));
  pages_->addTab(scrollable(gradCam_), tr("Grad-CAM"));
  connect(pages_, &QTabWidget::currentChanged, this, [this](int index) {
    if (index == static_cast<int>(Page::GradCam)) openGradCamRun();
  });
}

bool AnalysisView::hasStoredAnalysis(const QString& runDir) {
  if (runDir.isEmpty()) return false;
  return QFileInfo::exists(QDir(qs(analysis_dir(runDir.toStdString()))).filePath(QStringLiteral("analysis.json")));
}

void AnalysisView::setRun(const QString& runDir) {
  task_->cancel();
  s_->runDir = runDir;
  resetContent();
  title_->setText(runDir.isEmpty() ? tr("No run") : tr("Run %1").arg(QDir::toNativeSeparators(runDir)));
  analyse_->setEnabled(!runDir.isEmpty());
  analyse_->setText(tr("Analyse this run"));
  if (runDir.isEmpty()) {
    showMessage(tr("Finish a run, or choose Analyse on a run in the Runs view (Ctrl+R), to see why it did as it did."),
                false);
  } else if (hasStoredAnalysis(runDir)) {
    openStored();
  } else {
    showMessage(tr("This run has no analysis yet. Analyse this run computes it (it takes a few seconds) and keeps "
                   "it in the run's analysis folder."),
                false);
  }
}

QString AnalysisView::runDir() const { return s_->runDir; }

bool AnalysisView::offerRun(const QString& runDir) {
  if (task_->isRunning() && s_->computing) return false;
  setRun(runDir);
  return true;
}

void AnalysisView::setAnalysisOptions(const AnalysisOptions& options) { s_->options = options; }

void AnalysisView::analyseRun(const QString& runDir) {
  setRun(runDir);
  if (!hasStoredAnalysis(runDir)) analyse();
}

void AnalysisView::openStored() {
  const std::string dir = s_->runDir.toStdString();
  showMessage(tr("Reading the stored analysis…"), false);
  s_->computing = false;
  task_->start(
      [dir](TaskContext& context) {
        Loaded loaded;
        context.progress(-1, tr("Reading the stored analysis"));
        auto analysis = std::make_shared<RunAnalysis>(read_analysis(dir));
        context.progress(-1, tr("Rebuilding the test images"));
        loaded.images = rebuildTestImages(dir, analysis->transfer.matrix.total(), context, &loaded.imagesProblem);
        loaded.analysis = std::move(analysis);
        return loaded;
      },
      [this](const Loaded& loaded) { showLoaded(loaded); });
}

void AnalysisView::analyse() {
  if (s_->runDir.isEmpty() || task_->isRunning()) return;
  const std::string dir = s_->runDir.toStdString();
  const AnalysisOptions options = s_->options;
  showMessage(tr("Analysing the run…"), false);
  s_->computing = true;
  task_->start(
      [dir, options](TaskContext& context) {
        Loaded loaded;
        const auto report = [&context](const AnalysisProgress& p) { context.progress(p.fraction, qs(p.step)); };
        auto analysis = std::make_shared<RunAnalysis>(analyze_run(dir, options, report, &context.cancelFlag()));
        context.progress(-1, tr("Rebuilding the test images"));
        loaded.images = rebuildTestImages(dir, analysis->transfer.matrix.total(), context, &loaded.imagesProblem);
        loaded.analysis = std::move(analysis);
        loaded.computed = true;
        return loaded;
      },
      [this](const Loaded& loaded) {
        showLoaded(loaded);
        imageRecording_->start();
      });
}

void AnalysisView::resetContent() {
  imageRecording_->stop();
  imageWriter_->cancel();
  s_->analysis.reset();
  s_->images.clear();
  s_->imagesProblem.clear();
  confusion_->clear();
  gap_->clear();
  pairs_->setRowCount(0);
  topLosses_->clear();
  gallery_->hide();
  featureMap_->clear();
  s_->gradCamWaiting = false;
  gradCam_->clear();
}

void AnalysisView::showLoaded(const Loaded& loaded) {
  s_->analysis = loaded.analysis;
  s_->images = loaded.images;
  s_->imagesProblem = loaded.imagesProblem;
  const RunAnalysis& a = *s_->analysis;
  const QString twinName = qs(a.twin_name);
  confusion_->setMatrices(a.transfer.matrix, a.twin ? &a.twin->matrix : nullptr, twinName);
  gap_->setGaps(a.per_class, twinName);
  fillConfusedPairs();
  fillTopLosses();
  featureMap_->setAnalysis(a);
  s_->gradCamWaiting = true;
  if (pages_->currentIndex() == static_cast<int>(Page::GradCam)) openGradCamRun();
  analyse_->setText(tr("Recompute"));
  analyse_->setEnabled(true);

  QStringList lines;
  lines << (loaded.computed ? tr("%1 (%2): analysed in %3.")
                                  .arg(qs(a.name), qs(a.architecture), qs(format_duration(a.seconds)))
                            : tr("%1 (%2): the stored analysis; Recompute to analyse the run again.")
                                  .arg(qs(a.name), qs(a.architecture)));
  lines << tr("Test accuracy %1 on %2 test images%3.")
               .arg(percent(a.transfer.matrix.accuracy()), qs(format_count(a.transfer.matrix.total())),
                    a.twin ? tr("; %1 %2").arg(twinName, percent(a.twin->matrix.accuracy())) : QString());
  for (const std::string& note : a.notes) lines << qs(note);
  if (!s_->imagesProblem.isEmpty()) lines << s_->imagesProblem;
  showMessage(lines.join(QLatin1Char('\n')), false);
  Q_EMIT analysisShown();
}

/// A plot image to write: its file name and its drawing.
struct AnalysisView::PlotImage {
  QString name;
  RecordedPlot plot;
};

/// The "PNGs of the plots" beside the analysis files, written when
/// the window computed the analysis (the CLI writes no images). Drawing them
/// at export size took 38–100 ms each (tl_ui_bench analysis), too long a
/// pause for the window: the GUI thread only records the plots, the image
/// writer's thread rasterises, encodes and writes them.
void AnalysisView::writePlotImages() {
  const std::string dir = analysis_dir(s_->runDir.toStdString());
  imageWriter_->cancel();  // a previous analysis's images, if still being written
  imageWriter_->start(
      [dir, images = recordPlotImages()](TaskContext& context) {
        QStringList problems;
        for (const PlotImage& image : images) {
          if (context.cancelled()) break;
          try {
            const QByteArray png = image.plot.pngBytes();
            if (!png.isEmpty()) write_file_atomically(dir + "/" + image.name.toStdString(), png.toStdString());
          } catch (const std::exception& e) {
            problems << qs(e.what());
          }
        }
        return problems;
      },
      [this](const QStringList& problems) { plotImagesDone(problems); });
}

/// The plots to write, drawn at their export sizes: the confusion matrix in
/// counts (as confusion.csv), the class gap when there is a twin, the feature map.
std::vector<AnalysisView::PlotImage> AnalysisView::recordPlotImages() {
  std::vector<PlotImage> images;
  const bool normalised = confusion_->isRowNormalised();
  confusion_->setRowNormalised(false);
  images.push_back({QStringLiteral("confusion.png"),
                    RecordedPlot(confusion_->customPlot(), QSize(kExportWidth, kExportHeight))});
  confusion_->setRowNormalised(normalised);
  if (gap_->emptyText().isEmpty()) {
    images.push_back({QStringLiteral("class_gap.png"), RecordedPlot(gap_->customPlot(), QSize(1200, kExportHeight))});
  }
  images.push_back({QStringLiteral("feature_map.png"), RecordedPlot(featureMap_->customPlot(), kFeatureMapExportSize)});
  return images;
}

void AnalysisView::plotImagesDone(const QStringList& problems) {
  if (!problems.isEmpty()) {
    showMessage(message() + QLatin1Char('\n') + tr("Plot images not written: %1").arg(problems.join(QStringLiteral("; "))),
                true);
  }
  Q_EMIT plotImagesWritten();
}

void AnalysisView::fillConfusedPairs() {
  const RunAnalysis& a = *s_->analysis;
  const auto& names = a.transfer.matrix.class_names;
  pairs_->setRowCount(static_cast<int>(a.most_confused.size()));
  for (int row = 0; row < pairs_->rowCount(); ++row) {
    const ConfusedPair& pair = a.most_confused[static_cast<size_t>(row)];
    auto* trueItem = new QTableWidgetItem(qs(names.at(static_cast<size_t>(pair.true_class))));
    trueItem->setData(Qt::UserRole, static_cast<int>(pair.true_class));
    trueItem->setData(Qt::UserRole + 1, static_cast<int>(pair.predicted));
    pairs_->setItem(row, 0, trueItem);
    pairs_->setItem(row, 1, new QTableWidgetItem(qs(names.at(static_cast<size_t>(pair.predicted)))));
    pairs_->setItem(row, 2, new QTableWidgetItem(QString::number(pair.count)));
    const QString twin = a.twin ? QString::number(a.twin->matrix.count(pair.true_class, pair.predicted)) : tr("–");
    pairs_->setItem(row, 3, new QTableWidgetItem(twin));
  }
  pairs_->setColumnHidden(3, !a.twin);
}

void AnalysisView::fillTopLosses() {
  const RunAnalysis& a = *s_->analysis;
  const auto& names = a.transfer.matrix.class_names;
  QVector<GalleryImage> images;
  for (const ImagePrediction& p : a.top_losses) {
    const QString caption = tr("#%1 %2 → %3\n%4 · loss %5")
                                .arg(p.index)
                                .arg(qs(names.at(static_cast<size_t>(p.true_class))),
                                     qs(names.at(static_cast<size_t>(p.predicted))), percent(p.probability))
                                .arg(p.loss, 0, 'f', 2);
    images << GalleryImage{p.index, testImage(p.index), caption};
  }
  topLosses_->setImages(images);
}

QImage AnalysisView::testImage(qint64 index) const {
  return index >= 0 && index < s_->images.size() ? s_->images[static_cast<int>(index)] : QImage();
}

void AnalysisView::openCell(ConfusionPlot::Panel panel, int trueClass, int predicted) {
  if (!s_->analysis) return;
  const RunAnalysis& a = *s_->analysis;
  const bool twin = panel == ConfusionPlot::Panel::Twin && a.twin;
  const ConfusionMatrix& matrix = twin ? a.twin->matrix : a.transfer.matrix;
  const QString model = twin ? qs(a.twin_name) : tr("transfer");
  QVector<GalleryImage> images;
  for (const ImagePrediction& p : matrix.cell_images(trueClass, predicted)) {
    images << GalleryImage{p.index, testImage(p.index), tr("#%1\n%2").arg(p.index).arg(percent(p.probability))};
  }
  const auto& names = matrix.class_names;
  const QString title =
      tr("%1 predicted as %2 by the %3 model: %4 test images, each with the probability the model gave its "
         "prediction. Click one for Grad-CAM.")
          .arg(qs(names.at(static_cast<size_t>(trueClass))), qs(names.at(static_cast<size_t>(predicted))), model)
          .arg(images.size());
  gallery_->showImages(title, images, s_->imagesProblem);
}

/// The Grad-CAM page loads the run's models and rebuilds its test images
/// only when it is first shown or asked for an image: loading them as the
/// pages fill took the CPU from the window's first layout and paint (on two
/// cores, beside the hover images' loader and the plot image writer).
void AnalysisView::openGradCamRun() {
  if (!s_->gradCamWaiting) return;
  s_->gradCamWaiting = false;
  gradCam_->setRun(s_->runDir);
}

void AnalysisView::explainImage(qint64 testIndex) {
  openGradCamRun();
  gradCam_->showImage(testIndex);
  showPage(Page::GradCam);
  Q_EMIT imageExplained(testIndex);
}

void AnalysisView::showPage(Page page) { pages_->setCurrentIndex(static_cast<int>(page)); }

QStringList AnalysisView::pageNames() {
  return {QStringLiteral("confusion-matrix"), QStringLiteral("class-gap"), QStringLiteral("confusions"),
          QStringLiteral("feature-map"), QStringLiteral("grad-cam")};
}

QString AnalysisView::pageName(Page page) { return pageNames().value(static_cast<int>(page)); }

std::optional<AnalysisView::Page> AnalysisView::pageNamed(const QString& name) {
  const int index = pageNames().indexOf(name);
  if (index < 0) return std::nullopt;
  return static_cast<Page>(index);
}

const RunAnalysis* AnalysisView::analysis() const { return s_->analysis.get(); }
QString AnalysisView::message() const { return message_->text(); }
bool AnalysisView::showsError() const { return s_->error; }
const QVector<QImage>& AnalysisView::testImages() const { return s_->images; }

void AnalysisView::showMessage(const QString& text, bool error) {
  s_->error = error;
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
}

QWidget* AnalysisView::currentPage() const {
  QWidget* page = pages_->currentWidget();
  auto* area = qobject_cast<QScrollArea*>(page);
  return area ? area->widget() : page;
}

bool AnalysisView::exportPng(const QString& path) {
  QWidget* page = currentPage();
  if (page == confusion_) return confusion_->exportPng(path, kExportWidth, kExportHeight);
  if (page == gap_) return gap_->exportPng(path, 1200, kExportHeight);
  if (page == featureMap_) return featureMap_->exportTo(path);
  return page->grab().save(path, "PNG");
}

bool AnalysisView::exportPdf(const QString& path) {
  QWidget* page = currentPage();
  if (page == confusion_) return confusion_->exportPdf(path, kExportWidth, kExportHeight);
  if (page == gap_) return gap_->exportPdf(path, 1200, kExportHeight);
  if (page == featureMap_) return featureMap_->exportTo(path);
  // Pages of widgets (tables, image grids) are drawn as they are on screen.
  QPdfWriter writer(path);
  writer.setPageSize(QPageSize(page->size(), QPageSize::Point));
  writer.setPageMargins(QMarginsF(0, 0, 0, 0));
  writer.setResolution(72);
  QPainter painter;
  if (!painter.begin(&writer)) return false;
  page->render(&painter);
  return painter.end();
}

void AnalysisView::exportPngWithDialog() { exportWithDialog(false); }
void AnalysisView::exportPdfWithDialog() { exportWithDialog(true); }

void AnalysisView::exportWithDialog(bool pdf) {
  const auto folder = pdf ? QStandardPaths::DocumentsLocation : QStandardPaths::PicturesLocation;
  const QString name = pageNames().value(pages_->currentIndex(), QStringLiteral("analysis")) +
                       (pdf ? QStringLiteral(".pdf") : QStringLiteral(".png"));
  const QString path = QFileDialog::getSaveFileName(
      this, pdf ? tr("Export analysis page as PDF") : tr("Export analysis page as PNG"),
      QDir(QStandardPaths::writableLocation(folder)).filePath(name),
      pdf ? tr("PDF documents (*.pdf)") : tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (pdf ? exportPdf(path) : exportPng(path))
    Q_EMIT exported(path);
  else
    Q_EMIT exportFailed(tr("Could not write %1").arg(path));
}

}  // namespace tl
