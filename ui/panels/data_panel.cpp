#include "panels/data_panel.h"

#include "panels/tensor_image.h"
#include "session/experiment_session.h"
#include "session/session_config.h"
#include "session/session_error_box.h"
#include "tasks/task_progress_bar.h"

#include "data/domain_shift.h"
#include "data/idx_reader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <map>

namespace tl {
namespace {

// The Fashion-MNIST test split, read once per process (about 30 MB). Never
// freed: tensors must not be destroyed after LibTorch's own statics.
struct SampleSource {
  Dataset data;
  std::map<int, std::vector<int64_t>> indicesByClass;  ///< first images of each class
  QString error;
};

const SampleSource& sampleSource() {
  static const SampleSource* source = [] {
    auto* s = new SampleSource;
    try {
      s->data = load_fashion_mnist(default_fashion_mnist_dir(), DataSplit::Test);
      const auto labels = s->data.labels.accessor<int64_t, 1>();
      for (int64_t i = 0; i < labels.size(0); ++i) {
        auto& list = s->indicesByClass[static_cast<int>(labels[i])];
        if (list.size() < static_cast<size_t>(DataPanel::kSamplesPerRow)) list.push_back(i);
      }
    } catch (const std::exception& e) {
      s->error = QString::fromStdString(e.what());
    }
    return s;
  }();
  return *source;
}

// kSamplesPerRow images cycling through `classes`, the same ones every time
// so that only the shift changes what is seen.
Dataset pickSamples(const SampleSource& source, const QList<int>& classes) {
  std::vector<int64_t> picked;
  for (int i = 0; i < DataPanel::kSamplesPerRow && !classes.isEmpty(); ++i) {
    const auto it = source.indicesByClass.find(classes[i % classes.size()]);
    const size_t nth = static_cast<size_t>(i / classes.size());
    if (it != source.indicesByClass.end() && nth < it->second.size()) picked.push_back(it->second[nth]);
  }
  return source.data.subset(torch::tensor(picked, torch::kInt64));
}

QVector<Sample> toSamples(const Dataset& data) {
  QVector<Sample> samples;
  for (int64_t i = 0; i < data.size(); ++i) {
    const auto label = data.labels[i].item<int64_t>();
    const QString name = QString::fromStdString(data.class_names[static_cast<size_t>(label)]);
    samples.push_back({tensorToImage(data.images[i]), name});
  }
  return samples;
}

}  // namespace

DataPanel::DataPanel(ExperimentSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      source_(new QComboBox(this)),
      chooseFolder_(new QPushButton(tr("Choose &folder…"), this)),
      folderPath_(new QLabel(this)),
      preview_(new FolderPreview(this)),
      folderProgress_(new TaskProgressBar(preview_->task(), this)),
      folderSummary_(new QLabel(this)),
      classHint_(new QLabel(this)),
      shots_(new QSpinBox(this)),
      unlabelled_(new QCheckBox(tr("No labels (unlabelled target)"), this)),
      shiftKind_(new QComboBox(this)),
      strength_(new QSlider(Qt::Horizontal, this)),
      strengthValue_(new QLabel(this)),
      strip_(new SampleStrip(this)),
      debounce_(new QTimer(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(buildSourceBox());
  layout->addWidget(buildClassBox());
  layout->addWidget(buildTaskForm());
  auto* samples = new QGroupBox(tr("Samples: source task, and target task with its shift"), this);
  (new QVBoxLayout(samples))->addWidget(strip_);
  layout->addWidget(samples);

  // Shifting images takes a few milliseconds; dragging the slider should not
  // redo it for every pixel of movement.
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &DataPanel::refreshSamplesNow);
  connect(preview_, &FolderPreview::finished, this, &DataPanel::showFolderSummary);
  connect(preview_, &FolderPreview::cancelled, this, [this] {
    folderRequest_.clear();  // so that choosing the folder again loads it
    folderSummary_->setText(tr("Not loaded: cancelled. Choose the folder again to load it."));
  });
  connect(session, &ExperimentSession::configChanged, this, [this] {
    syncFromSession();
    debounce_->start();
  });
  syncFromSession();
  refreshSamplesNow();
}

DataPanel::~DataPanel() = default;

QWidget* DataPanel::buildSourceBox() {
  auto* box = new QGroupBox(tr("Target images"), this);
  auto* layout = new QVBoxLayout(box);
  source_->addItem(tr("Fashion-MNIST (built in)"));
  source_->addItem(tr("Image folder…"));
  source_->setToolTip(tr("Your own images: a folder with one sub-folder of images per class (PNG, JPEG, BMP), "
                         "optionally split into train/, val/ and test/"));
  chooseFolder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  chooseFolder_->setToolTip(tr("Choose the image folder (Ctrl+Shift+O)"));
  auto* row = new QHBoxLayout;
  row->addWidget(source_, 1);
  row->addWidget(chooseFolder_);
  layout->addLayout(row);
  folderPath_->setWordWrap(true);
  folderPath_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(folderPath_);
  folderProgress_->cancelOnEscapeIn(this);
  layout->addWidget(folderProgress_);
  folderSummary_->setWordWrap(true);
  folderSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(folderSummary_);
  connect(source_, qOverload<int>(&QComboBox::activated), this, &DataPanel::sourceChosen);
  connect(chooseFolder_, &QPushButton::clicked, this, &DataPanel::chooseFolder);
  return box;
}

void DataPanel::sourceChosen(int index) {
  if (index == FashionMnistSource) {
    QString error;
    if (!session_->targetFolder().isEmpty() && !session_->setTargetFolder(QString(), &error)) {
      syncFromSession();  // the session kept the folder
      showSessionError(this, QString(), error);
    }
  } else if (session_->targetFolder().isEmpty() && !chooseFolder()) {
    syncFromSession();  // cancelled or refused: the combo goes back to Fashion-MNIST
  }
}

bool DataPanel::chooseFolder() {
  const QString current = session_->targetFolder();
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Image folder (one sub-folder per class)"),
                                                           current.isEmpty() ? QDir::homePath() : current);
  if (folder.isEmpty()) return false;
  if (folder == current) {
    loadFolderIfChanged();  // loads it again after a cancelled load
    return true;
  }
  QString error;
  if (session_->setTargetFolder(folder, &error)) return true;
  showSessionError(this, QString(), error);
  return false;
}

void DataPanel::setFolderMode(bool folder) {
  classBox_->setVisible(!folder);
  taskForm_->setRowVisible(unlabelled_, !folder);
  taskForm_->setRowVisible(shiftKind_, !folder);
  taskForm_->setRowVisible(strengthRow_, !folder);
  chooseFolder_->setVisible(folder);
  folderPath_->setVisible(folder);
  folderSummary_->setVisible(folder);
  if (!folder) {
    preview_->cancel();
    folderRequest_.clear();
  }
}

void DataPanel::loadFolderIfChanged() {
  const QString folder = session_->targetFolder();
  const ExperimentConfig config = sessionConfig(*session_);
  const InputShape shape = sessionPreparedModel(*session_).model->input_shape();
  const QString request = QStringLiteral("%1|%2x%3x%4|%5|%6")
                              .arg(folder)
                              .arg(shape.channels)
                              .arg(shape.height)
                              .arg(shape.width)
                              .arg(config.target.val_fraction)
                              .arg(config.target.seed);
  if (request == folderRequest_) return;
  folderRequest_ = request;
  folderSummary_->clear();  // the progress says what is going on
  FolderPreview::Request r;
  r.folder = folder;
  r.channels = static_cast<int>(shape.channels);
  r.height = static_cast<int>(shape.height);
  r.width = static_cast<int>(shape.width);
  r.valFraction = config.target.val_fraction;
  r.seed = static_cast<qint64>(config.target.seed);
  r.samples = kSamplesPerRow;
  preview_->load(r);
}

void DataPanel::showFolderSummary(const FolderSummary& summary) {
  folderLoaded_ = summary;
  if (!summary.error.isEmpty()) {
    folderSummary_->setText(tr("Cannot use this folder: %1").arg(summary.error));
    refreshSamplesNow();
    return;
  }
  QStringList lines;
  lines << tr("%1 classes, %2 files%3")
               .arg(summary.classNames.size())
               .arg(summary.files)
               .arg(summary.fromCache ? tr(" (decoded images from the cache)") : QString());
  for (int c = 0; c < summary.classNames.size(); ++c) {
    lines << tr("  %1: %2 train · %3 validation · %4 test")
                 .arg(summary.classNames[c])
                 .arg(summary.train.value(c))
                 .arg(summary.validation.value(c))
                 .arg(summary.test.value(c));
  }
  if (summary.skippedCount > 0) {
    lines << (summary.skippedCount == 1 ? tr("Skipped 1 file that is not a readable image:")
                                         : tr("Skipped %1 files that are not readable images:").arg(summary.skippedCount));
    for (const QString& reason : summary.firstSkipped) lines << QStringLiteral("  ") + reason;
    if (summary.skippedCount > summary.firstSkipped.size()) lines << QStringLiteral("  …");
  }
  folderSummary_->setText(lines.join(QLatin1Char('\n')));
  refreshSamplesNow();
}

QWidget* DataPanel::buildClassBox() {
  auto* box = new QGroupBox(tr("Target classes"), this);
  classBox_ = box;
  auto* grid = new QGridLayout(box);
  const QStringList names = ExperimentSession::fashionMnistClassNames();
  for (int label = 0; label < names.size(); ++label) {
    auto* check = new QCheckBox(QStringLiteral("%1 %2").arg(label).arg(names[label]), box);
    classes_ << check;
    grid->addWidget(check, label % 5, label / 5);
    connect(check, &QCheckBox::toggled, this, &DataPanel::classToggled);
  }
  classHint_->setWordWrap(true);
  classHint_->hide();  // shown only while it has something to say
  grid->addWidget(classHint_, 5, 0, 1, 2);
  return box;
}

QWidget* DataPanel::buildTaskForm() {
  auto* box = new QGroupBox(tr("Target data"), this);
  auto* form = new QFormLayout(box);
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);  // fields go under their labels when the column is narrow
  taskForm_ = form;
  shots_->setRange(0, 6000);
  shots_->setSpecialValueText(tr("all"));
  shots_->setToolTip(tr("Labelled training images per class; few labels is where transfer helps most"));
  form->addRow(tr("Labels per class:"), shots_);
  unlabelled_->setToolTip(tr("The target's training images come without labels; only domain-adversarial "
                             "adaptation (DANN) learns from them. Validation and test keep theirs, to measure."));
  form->addRow(QString(), unlabelled_);
  for (const QString& name : session_->shiftKindNames()) shiftKind_->addItem(name.left(1).toUpper() + name.mid(1), name);
  form->addRow(tr("Domain shift:"), shiftKind_);
  strength_->setRange(0, 100);
  strength_->setToolTip(tr("0% leaves the images unchanged; 100% is the strongest form of the shift"));
  strengthValue_->setMinimumWidth(strengthValue_->fontMetrics().horizontalAdvance(QStringLiteral("100%")));
  auto* strengthRow = new QHBoxLayout;
  strengthRow->addWidget(strength_, 1);
  strengthRow->addWidget(strengthValue_);
  form->addRow(tr("Strength:"), strengthRow);
  strengthRow_ = strengthRow;
  connect(shots_, qOverload<int>(&QSpinBox::valueChanged), session_, &ExperimentSession::setShotsPerClass);
  connect(unlabelled_, &QCheckBox::toggled, this, [this](bool on) {
    QString error;
    if (session_->setTargetLabelled(!on, &error)) return;
    syncFromSession();
    showSessionError(this, QString(), error);
  });
  connect(shiftKind_, qOverload<int>(&QComboBox::currentIndexChanged), this, &DataPanel::shiftEdited);
  connect(strength_, &QSlider::valueChanged, this, &DataPanel::shiftEdited);
  return box;
}

void DataPanel::classToggled() {
  QList<int> chosen;
  for (int label = 0; label < classes_.size(); ++label) {
    if (classes_[label]->isChecked()) chosen << label;
  }
  // Checked here, not by the session, so the rule shows as a hint, not an error dialog.
  if (chosen.size() < 2) {
    classHint_->setText(tr("A task needs at least two classes."));
    classHint_->show();
    syncFromSession();  // put the box that broke the rule back
    return;
  }
  classHint_->hide();
  QString error;
  if (session_->setTargetClasses(chosen, &error)) return;
  syncFromSession();
  showSessionError(this, QString(), error);
}

void DataPanel::shiftEdited() {
  QString error;
  if (session_->setShift(shiftKind_->currentData().toString(), strength_->value() / 100.0, &error)) return;
  syncFromSession();
  showSessionError(this, QString(), error);
}

void DataPanel::syncFromSession() {
  const QList<int> target = session_->targetClasses();
  for (int label = 0; label < classes_.size(); ++label) {
    const QSignalBlocker block(classes_[label]);
    classes_[label]->setChecked(target.contains(label));
  }
  const QSignalBlocker blockShots(shots_);
  const QSignalBlocker blockUnlabelled(unlabelled_);
  const QSignalBlocker blockKind(shiftKind_);
  const QSignalBlocker blockStrength(strength_);
  shots_->setValue(session_->shotsPerClass());
  unlabelled_->setChecked(!session_->targetLabelled());
  shots_->setEnabled(session_->targetLabelled());
  shiftKind_->setCurrentIndex(std::max(0, shiftKind_->findData(session_->shiftKind())));
  strength_->setValue(qRound(session_->shiftStrength() * 100.0));
  strengthValue_->setText(QStringLiteral("%1%").arg(strength_->value()));

  const QString folder = session_->targetFolder();
  {
    const QSignalBlocker blockSource(source_);
    source_->setCurrentIndex(folder.isEmpty() ? FashionMnistSource : ImageFolderSource);
  }
  setFolderMode(!folder.isEmpty());
  if (!folder.isEmpty()) {
    folderPath_->setText(folder);
    loadFolderIfChanged();
  }
}

void DataPanel::refreshSamplesNow() {
  debounce_->stop();
  const SampleSource& source = sampleSource();
  if (!source.error.isEmpty()) {
    strip_->setMessage(tr("No sample images: %1").arg(source.error));
    return;
  }
  try {
    strip_->setRow(0, tr("Source"), toSamples(pickSamples(source, session_->sourceClasses())));
    if (!session_->targetFolder().isEmpty()) {
      // The folder's own images at the model's input size, once decoded.
      const bool current = folderLoaded_.folder == session_->targetFolder();
      strip_->setRow(1, tr("Target"), current ? folderLoaded_.samples : QVector<Sample>());
      return;
    }
    const DomainShift shift = sessionConfig(*session_).target.shift;
    strip_->setRow(1, tr("Target"), toSamples(apply_shift(pickSamples(source, session_->targetClasses()), shift)));
  } catch (const std::exception& e) {
    strip_->setMessage(tr("No sample images: %1").arg(QString::fromStdString(e.what())));
  }
}

}  // namespace tl
