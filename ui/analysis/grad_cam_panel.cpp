#include "analysis/grad_cam_panel.h"

#include "analysis/grad_cam.h"
#include "analysis/grad_cam_overlay.h"
#include "analysis/run_folder.h"
#include "data/image_file.h"
#include "panels/tensor_image.h"
#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"
#include "util/text_format.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace tl {

/// A run's models and test images, loaded once per run folder.
struct GradCamRun {
  RunFolder folder;
  Dataset pixels;  ///< the test images, raw pixels in [0, 1]
  std::vector<std::string> layers;
  std::string defaultLayer;
  /// grad_cam swaps a capturing module into a model for its forward pass: one
  /// map at a time, also when a cancelled job still runs on.
  std::mutex models;
};

/// What an explanation job hands to the GUI thread.
struct GradCamExplanation {
  QImage image;
  QString imageCaption;
  QVector<GradCamView> views;
};

namespace {

constexpr double kOverlayAlpha = 0.5;
constexpr int kShownSize = 168;  ///< pixels an image is shown at (whole multiples of its size)

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString capitalised(QString text) {
  if (!text.isEmpty()) text[0] = text[0].toUpper();
  return text;
}

QString className(const GradCamRun& run, int64_t index) {
  const auto& names = run.pixels.class_names;
  return index >= 0 && index < static_cast<int64_t>(names.size()) ? qs(names[index]) : QString::number(index);
}

Dataset testImage(const GradCamRun& run, int64_t index) {
  if (index < 0 || index >= run.pixels.size()) {
    throw std::out_of_range("test image " + std::to_string(index) + ": the run has " +
                            format_count(run.pixels.size()) + " test images");
  }
  return run.pixels.subset(torch::tensor({index}, torch::kLong));
}

// Decoded as an image folder's files are (data/image_file.h), at the input
// size and channels of the run's model.
Dataset fileImage(const GradCamRun& run, const QString& path) {
  const InputShape input = run.folder.model.model->input_shape();
  const torch::Tensor decoded = read_image(path.toStdString(), input.channels);
  Dataset d;
  d.images = resize_image(decoded, input.height, input.width).unsqueeze(0);
  d.labels = torch::zeros({1}, torch::kLong);
  d.class_names = run.pixels.class_names;
  return d;
}

QVector<float> heatOf(const torch::Tensor& map) {
  const torch::Tensor flat = map.contiguous().to(torch::kFloat32).view(-1);
  const float* data = flat.data_ptr<float>();
  return QVector<float>(data, data + flat.numel());
}

QString captionOf(const GradCamRun& run, const GradCamView& view, bool trueClassAsked, bool hasTrueClass) {
  QString caption = QObject::tr("%1\npredicts %2 (%3)")
                        .arg(capitalised(view.model), className(run, view.predictedClass),
                             qs(format_percent(view.probability)));
  if (trueClassAsked && !hasTrueClass) return caption + QObject::tr("\nmap of its prediction (a file has no true class)");
  const QString explained = className(run, view.explainedClass);
  return caption + (trueClassAsked ? QObject::tr("\nmap of %1 (the true class)").arg(explained)
                                   : QObject::tr("\nmap of %1 (its prediction)").arg(explained));
}

GradCamView viewOf(const GradCamRun& run, const QString& role, SavedModel& model, const Dataset& pixels,
                   const torch::Tensor& classes, const std::string& layer, const QImage& image) {
  const Dataset input = normalised_for(pixels, model);
  const GradCam cam = grad_cam(*model.model, input.images, classes, layer);
  const torch::Tensor probabilities = torch::softmax(cam.logits[0], 0);
  GradCamView view;
  view.model = role;
  view.height = static_cast<int>(cam.maps.size(1));
  view.width = static_cast<int>(cam.maps.size(2));
  view.heat = heatOf(cam.maps[0]);
  view.overlay = heatOverlay(image, view.heat, kOverlayAlpha);
  view.explainedClass = cam.classes[0].item<int64_t>();
  view.predictedClass = probabilities.argmax().item<int64_t>();
  view.probability = probabilities[view.predictedClass].item<double>();
  return view;
}

GradCamExplanation explainImage(GradCamRun& run, qint64 testIndex, const QString& file, const std::string& layer,
                                bool trueClass) {
  std::lock_guard<std::mutex> lock(run.models);
  const bool isTestImage = testIndex >= 0;
  const Dataset pixels = isTestImage ? testImage(run, testIndex) : fileImage(run, file);
  const int64_t label = isTestImage ? pixels.labels[0].item<int64_t>() : -1;
  GradCamExplanation e;
  e.image = tensorToImage(pixels.images[0]);
  e.imageCaption = isTestImage ? QObject::tr("Test image %1\ntrue class: %2").arg(testIndex).arg(className(run, label))
                               : QObject::tr("%1\n(an image file)").arg(QFileInfo(file).fileName());
  const torch::Tensor classes = trueClass && label >= 0 ? torch::tensor({label}, torch::kLong) : torch::Tensor();
  e.views.push_back(viewOf(run, QObject::tr("transfer model"), run.folder.model, pixels, classes, layer, e.image));
  if (run.folder.twin_model) {
    e.views.push_back(viewOf(run, qs(run.folder.twin_name), *run.folder.twin_model, pixels, classes, layer, e.image));
  }
  for (auto& view : e.views) view.caption = captionOf(run, view, trueClass, label >= 0);
  return e;
}

QLabel* pictureLabel(const QImage& image) {
  auto* label = new QLabel;
  const int scale = std::max(1, kShownSize / std::max(1, image.width()));
  label->setPixmap(QPixmap::fromImage(image.scaled(image.size() * scale, Qt::KeepAspectRatio,
                                                   Qt::FastTransformation)));
  label->setAlignment(Qt::AlignCenter);
  return label;
}

QLabel* captionLabel(const QString& text) {
  auto* label = new QLabel(text);
  label->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
  label->setWordWrap(true);
  return label;
}

// What the colours mean: each map is divided by its own maximum (grad_cam),
// so colours compare regions within a map, not across images or models.
QWidget* colourKey() {
  auto* key = new QWidget;
  auto* bar = new QLabel;
  bar->setPixmap(QPixmap::fromImage(viridisScale(120, 10)));
  auto* row = new QHBoxLayout(key);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(new QLabel(QObject::tr("Map: low")));
  row->addWidget(bar);
  row->addWidget(new QLabel(QObject::tr("high (each map relative to its own peak)")));
  row->addStretch();
  key->setToolTip(QObject::tr("How much each region raised the score of the explained class at the chosen layer "
                              "(Grad-CAM), each map scaled to its own maximum"));
  return key;
}

}  // namespace

GradCamPanel::GradCamPanel(QWidget* parent)
    : QWidget(parent), loader_(new BackgroundTask(this)), explainer_(new BackgroundTask(this)) {
  setObjectName(QStringLiteral("gradCamPanel"));
  buildWidgets();
  connect(loader_, &BackgroundTask::failed, this,
          [this](const QString& message) { showError(tr("Could not load the run: %1").arg(message)); });
  connect(explainer_, &BackgroundTask::failed, this, [this](const QString& message) {
    showError(tr("Could not explain the image: %1").arg(message));
    finishExplaining();
  });
  connect(loader_, &BackgroundTask::cancelled, this, [this] {
    status_->setText(tr("Loading the run was cancelled."));
    status_->show();
  });
  connect(explainer_, &BackgroundTask::cancelled, this, &GradCamPanel::finishExplaining);
}

// The tasks, children, cancel and join their threads.
GradCamPanel::~GradCamPanel() = default;

void GradCamPanel::buildWidgets() {
  layerBox_ = new QComboBox;
  layerBox_->setToolTip(tr("The block whose activations the map is read at: late blocks show what the classifier "
                           "looked at, coarsely; early ones finer detail"));
  predictedButton_ = new QRadioButton(tr("predicted class"));
  trueClassButton_ = new QRadioButton(tr("true class"));
  predictedButton_->setChecked(true);
  auto* explainGroup = new QButtonGroup(this);
  explainGroup->addButton(predictedButton_);
  explainGroup->addButton(trueClassButton_);
  openFile_ = new QPushButton(tr("Open image file…"));
  openFile_->setToolTip(tr("Explain any PNG, JPEG or BMP image, brought to the model's input size"));
  openFile_->setEnabled(false);
  progress_ = new TaskProgressBar(loader_);
  progress_->cancelOnEscapeIn(this);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->hide();
  note_ = new QLabel;
  note_->setWordWrap(true);
  note_->hide();
  grid_ = new QGridLayout;
  scale_ = colourKey();
  scale_->hide();

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Layer:")));
  controls->addWidget(layerBox_);
  controls->addSpacing(12);
  controls->addWidget(new QLabel(tr("Explain:")));
  controls->addWidget(predictedButton_);
  controls->addWidget(trueClassButton_);
  controls->addStretch();
  controls->addWidget(openFile_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(note_);
  layout->addLayout(grid_);
  layout->addWidget(scale_);
  layout->addStretch();

  connect(layerBox_, &QComboBox::currentTextChanged, this, [this] { explain(); });
  connect(trueClassButton_, &QRadioButton::toggled, this, [this] { explain(); });
  connect(openFile_, &QPushButton::clicked, this, &GradCamPanel::chooseImageFile);
}

void GradCamPanel::setRun(const QString& runDir) {
  clear();
  if (runDir.isEmpty()) return;
  runDir_ = runDir;
  const std::string dir = runDir.toStdString();
  loader_->start(
      [dir](TaskContext& context) {
        context.progress(-1.0, tr("Loading the run's models…"));
        auto run = std::make_shared<GradCamRun>();
        run->folder = load_run_folder(dir);
        if (context.cancelled()) return run;  // dropped unseen
        context.progress(-1.0, tr("Rebuilding the run's test images…"));
        run->pixels = run_test_pixels(run->folder);
        run->defaultLayer = default_grad_cam_layer(*run->folder.model.model);
        run->layers = grad_cam_layers(*run->folder.model.model);
        return run;
      },
      [this](const std::shared_ptr<GradCamRun>& run) { showRun(run); });
}

void GradCamPanel::showRun(const std::shared_ptr<GradCamRun>& run) {
  run_ = run;
  {
    const QSignalBlocker block(layerBox_);
    layerBox_->clear();
    for (const auto& layer : run->layers) layerBox_->addItem(qs(layer));
    layerBox_->setCurrentText(qs(run->defaultLayer));
  }
  openFile_->setEnabled(true);
  const RunFolder& folder = run->folder;
  if (!folder.twin_name.empty() && !folder.twin_model) {
    note_->setText(tr("The %1's model was not saved with this run: only the transfer model is explained.")
                       .arg(qs(folder.twin_name)));
    note_->show();
  }
  Q_EMIT runLoaded();
  explain();
}

void GradCamPanel::showImage(int64_t testIndex) {
  subject_ = Subject{testIndex, QString()};
  explain();
}

void GradCamPanel::showImageFile(const QString& path) {
  subject_ = Subject{-1, path};
  explain();
}

void GradCamPanel::chooseImageFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Explain an image file"), QString(),
                                                    tr("Images (*.png *.jpg *.jpeg *.bmp);;All files (*)"));
  if (!path.isEmpty()) showImageFile(path);
}

void GradCamPanel::clear() {
  loader_->cancel();
  explainer_->cancel();
  run_.reset();
  runDir_.clear();
  subject_ = Subject();
  explainAgain_ = false;
  {
    const QSignalBlocker block(layerBox_);
    layerBox_->clear();
  }
  openFile_->setEnabled(false);
  status_->clear();
  status_->hide();
  note_->clear();
  note_->hide();
  clearViews();
}

QStringList GradCamPanel::layers() const {
  QStringList names;
  for (int i = 0; i < layerBox_->count(); ++i) names << layerBox_->itemText(i);
  return names;
}

QString GradCamPanel::layer() const { return layerBox_->currentText(); }

void GradCamPanel::setLayer(const QString& layer) { layerBox_->setCurrentText(layer); }

bool GradCamPanel::explainsTrueClass() const { return trueClassButton_->isChecked(); }

void GradCamPanel::setExplainsTrueClass(bool trueClass) {
  (trueClass ? trueClassButton_ : predictedButton_)->setChecked(true);
}

bool GradCamPanel::isLoading() const { return loader_->isRunning(); }

bool GradCamPanel::isBusy() const { return isLoading() || explainer_->isRunning(); }

QString GradCamPanel::statusText() const { return status_->isHidden() ? QString() : status_->text(); }

QString GradCamPanel::noteText() const { return note_->isHidden() ? QString() : note_->text(); }

// Until the run is loaded the subject waits; while a map is computed, the
// latest request runs when it is done (models are not shared between jobs).
void GradCamPanel::explain() {
  if (!run_ || !subject_.isSet()) return;
  if (explainer_->isRunning()) {
    explainAgain_ = true;
    return;
  }
  startExplaining();
}

void GradCamPanel::startExplaining() {
  explainer_->start(
      [run = run_, subject = subject_, layer = layer().toStdString(), trueClass = explainsTrueClass()](TaskContext&) {
        return explainImage(*run, subject.testIndex, subject.file, layer, trueClass);
      },
      [this](const GradCamExplanation& explanation) {
        showExplanation(explanation);
        finishExplaining();
      });
}

void GradCamPanel::finishExplaining() {
  if (!explainAgain_) return;
  explainAgain_ = false;
  explain();
}

void GradCamPanel::showExplanation(const GradCamExplanation& explanation) {
  clearViews();
  status_->hide();
  image_ = explanation.image;
  views_ = explanation.views;
  grid_->addWidget(pictureLabel(image_), 0, 0);
  grid_->addWidget(captionLabel(explanation.imageCaption), 1, 0);
  for (int i = 0; i < views_.size(); ++i) {
    grid_->addWidget(pictureLabel(views_[i].overlay), 0, i + 1);
    grid_->addWidget(captionLabel(views_[i].caption), 1, i + 1);
  }
  scale_->show();
  Q_EMIT explained();
}

void GradCamPanel::showError(const QString& message) {
  clearViews();
  status_->setText(message);
  status_->show();
  Q_EMIT failed(message);
}

void GradCamPanel::clearViews() {
  scale_->hide();
  views_.clear();
  image_ = QImage();
  while (QLayoutItem* item = grid_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
}

}  // namespace tl
