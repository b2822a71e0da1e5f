#include "panels/model_picker.h"

#include "panels/cost_probe_runner.h"
#include "session/experiment_session.h"
#include "session/number_format.h"
#include "session/session_config.h"
#include "tasks/task_progress_bar.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <cmath>

namespace tl {
namespace {

const char* const kRememberedModelsKey = "models/imported";
constexpr int kMaxRememberedModels = 20;

QString formatBytes(qint64 bytes) {
  const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  return mb >= 1024.0 ? QStringLiteral("%1 GB").arg(mb / 1024.0, 0, 'f', 1)
                      : QStringLiteral("%1 MB").arg(mb, 0, 'f', mb < 10 ? 1 : 0);
}

QString formatSeconds(double seconds) {
  if (seconds < 60) return QStringLiteral("%1 s").arg(seconds, 0, 'f', seconds < 10 ? 2 : 1);
  const qint64 s = std::llround(seconds);
  return s < 3600 ? QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                  : QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

struct ModelPicker::Details {
  QFormLayout* form = nullptr;
  QLabel* architecture = nullptr;
  QLabel* parameters = nullptr;
  QLabel* flops = nullptr;
  QLabel* input = nullptr;
  QLabel* sourceTask = nullptr;
  QLabel* images = nullptr;
  QLabel* accuracy = nullptr;
  QLabel* licence = nullptr;
  QLabel* created = nullptr;
};

ModelPicker::ModelPicker(ExperimentSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      combo_(new QComboBox(this)),
      open_(new QPushButton(tr("Open…"), this)),
      costProbe_(new CostProbeRunner(this)),
      details_(std::make_unique<Details>()) {
  setObjectName(QStringLiteral("modelPicker"));
  combo_->setToolTip(tr("Built-in pretrained checkpoints, and architectures trained from scratch"));
  combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo_->setMinimumContentsLength(16);
  open_->setToolTip(tr("Load a checkpoint file (.safetensors) written by transferlab-cli pretrain"));
  auto* row = new QHBoxLayout;
  row->addWidget(combo_, 1);
  row->addWidget(open_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(row);
  buildDetailsForm();
  layout->addLayout(details_->form);

  populateChoices();
  showDetails();
  connect(combo_, qOverload<int>(&QComboBox::activated), this, &ModelPicker::chooseIndex);
  connect(open_, &QPushButton::clicked, this, &ModelPicker::openFileDialog);
  connect(session, &ExperimentSession::modelChanged, this, [this] {
    selectCurrentModel();
    showDetails();
  });
  connect(session, &ExperimentSession::configChanged, this, &ModelPicker::showCost);  // the batch size
  connect(measure_, &QPushButton::clicked, this, &ModelPicker::measureCost);
  connect(costProbe_, &CostProbeRunner::measured, this, [this] { showCost(); });
  connect(costProbe_, &CostProbeRunner::failed, this, [this](const ProbeTarget&, const QString& message) {
    measure_->setEnabled(true);
    cost_->setText(tr("not measured: %1").arg(message));
  });
  connect(costProbe_, &CostProbeRunner::cancelled, this, [this] { showCost(); });
}

ModelPicker::~ModelPicker() = default;

QLabel* ModelPicker::addDetail(const QString& label) {
  auto* value = new QLabel(this);
  value->setWordWrap(true);
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  details_->form->addRow(label, value);
  return value;
}

void ModelPicker::buildDetailsForm() {
  details_->form = new QFormLayout;
  details_->form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  details_->form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  details_->architecture = addDetail(tr("Architecture:"));
  details_->parameters = addDetail(tr("Parameters:"));
  details_->flops = addDetail(tr("FLOPs per image:"));
  details_->input = addDetail(tr("Input size:"));
  details_->sourceTask = addDetail(tr("Source task:"));
  details_->images = addDetail(tr("Trained on:"));
  details_->accuracy = addDetail(tr("Source accuracy:"));
  details_->licence = addDetail(tr("Licence:"));
  details_->created = addDetail(tr("Created:"));
  addCostRow();
}

void ModelPicker::addCostRow() {
  cost_ = new QLabel(this);
  cost_->setObjectName(QStringLiteral("trainingCost"));
  cost_->setWordWrap(true);
  cost_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  cost_->setToolTip(
      tr("Measured on this machine, not guessed: one warm-up and three timed full fine-tuning steps (forward, "
         "backward, SGD with momentum) of the model on random input of its shape, on a background thread with "
         "the training thread count.\n"
         "Memory is the peak tensor memory of one step (parameters, gradients, optimizer state, the batch and the "
         "activations kept for the backward pass), counted from LibTorch's CPU allocations; it is not an RSS "
         "delta and leaves out the data set and oneDNN/OpenBLAS scratch buffers. Frozen layers need less.\n"
         "Results are kept per architecture, input size and batch size."));
  measure_ = new QPushButton(tr("Measure"), this);
  measure_->setObjectName(QStringLiteral("measureCost"));
  measure_->setToolTip(tr("Run a short training probe of this model at the chosen batch size"));
  costProgress_ = new TaskProgressBar(costProbe_->task(), this);
  costProgress_->cancelOnEscapeIn(this);
  auto* row = new QWidget(this);
  auto* layout = new QGridLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(cost_, 0, 0);
  layout->addWidget(measure_, 0, 1);
  layout->addWidget(costProgress_, 1, 0, 1, 2);
  layout->setColumnStretch(0, 1);
  details_->form->addRow(tr("Training cost:"), row);
}

ProbeTarget ModelPicker::probeTarget() const {
  const PreparedModel& prepared = sessionPreparedModel(*session_);
  const InputShape input = prepared.model->input_shape();
  ProbeTarget target;
  target.architecture = QString::fromStdString(prepared.architecture);
  target.channels = input.channels;
  target.height = input.height;
  target.width = input.width;
  target.batchSize = session_->batchSize();
  return target;
}

QString ModelPicker::costText(const CostEstimate& e) const {
  QString text = tr("%1 peak memory · %2 per batch of %3")
                     .arg(formatBytes(e.peakBytes), formatSeconds(e.secondsPerBatch))
                     .arg(e.batchSize);
  // The labelled images of an epoch are known when the task draws k shots.
  const qint64 images = static_cast<qint64>(session_->shotsPerClass()) * session_->targetClasses().size();
  if (images > 0) {
    text += tr(" · %1 per epoch of %2 images").arg(formatSeconds(e.secondsPerEpoch(images)), formatCount(images));
  } else {
    text += tr(" · %1 per 10,000 images").arg(formatSeconds(e.secondsPerEpoch(10000)));
  }
  return text;
}

void ModelPicker::showCost() {
  if (costProbe_->isBusy()) return;  // "measuring…" stays until the probe reports
  measure_->setEnabled(true);
  const auto estimate = CostProbeRunner::cached(probeTarget());
  cost_->setText(estimate ? costText(*estimate)
                          : tr("not measured for batch size %1 yet").arg(session_->batchSize()));
  measure_->setText(estimate ? tr("Measure again") : tr("Measure"));
}

void ModelPicker::measureCost() {
  const ProbeTarget target = probeTarget();
  if (!costProbe_->measure(target)) return;
  measure_->setEnabled(false);
  cost_->setText(tr("measuring %1 at batch size %2…").arg(target.architecture).arg(target.batchSize));
}

QStringList ModelPicker::rememberedModels() {
  QStringList existing;
  for (const QString& path : QSettings().value(QLatin1String(kRememberedModelsKey)).toStringList()) {
    if (QFileInfo::exists(path)) existing << path;
  }
  return existing;
}

void ModelPicker::rememberModel(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList paths = QSettings().value(QLatin1String(kRememberedModelsKey)).toStringList();
  paths.removeAll(absolute);
  paths.prepend(absolute);
  while (paths.size() > kMaxRememberedModels) paths.removeLast();
  QSettings().setValue(QLatin1String(kRememberedModelsKey), paths);
  if (combo_->findData(absolute) < 0) {
    combo_->addItem(QFileInfo(absolute).fileName(), absolute);
    combo_->setItemData(combo_->count() - 1, absolute, Qt::ToolTipRole);
  }
}

void ModelPicker::populateChoices() {
  combo_->clear();
  for (const ModelChoice& choice : ExperimentSession::availableModels()) combo_->addItem(choice.label, choice.id);
  for (const QString& path : rememberedModels()) {
    if (combo_->findData(path) >= 0) continue;
    combo_->addItem(QFileInfo(path).fileName(), path);
    combo_->setItemData(combo_->count() - 1, path, Qt::ToolTipRole);
  }
  selectCurrentModel();
}

void ModelPicker::selectCurrentModel() {
  const QString id = session_->modelId();
  int index = combo_->findData(id);
  if (index < 0) {  // a file opened earlier or named by a loaded config
    combo_->addItem(QFileInfo(id).fileName(), id);
    combo_->setItemData(combo_->count() - 1, id, Qt::ToolTipRole);
    index = combo_->count() - 1;
  }
  combo_->setCurrentIndex(index);
}

void ModelPicker::showDetails() {
  const ModelInfo info = session_->modelInfo();
  Details& d = *details_;
  d.architecture->setText(info.architecture);
  d.parameters->setText(formatCount(info.parameters));
  d.flops->setText(formatMagnitude(static_cast<double>(info.flopsPerImage)));
  d.input->setText(info.inputSize);
  d.sourceTask->setText(info.sourceTask);
  d.images->setText(info.pretrained ? tr("%1 images").arg(formatCount(info.trainingImages)) : tr("—"));
  d.accuracy->setText(info.pretrained ? QStringLiteral("%1%").arg(100.0 * info.sourceAccuracy, 0, 'f', 1) : tr("—"));
  d.licence->setText(info.pretrained ? info.licence : tr("—"));
  d.created->setText(info.pretrained ? info.created : tr("—"));
  showCost();
}

QString ModelPicker::detailsText() const {
  QStringList lines;
  for (int row = 0; row < details_->form->rowCount(); ++row) {
    auto* label = qobject_cast<QLabel*>(details_->form->itemAt(row, QFormLayout::LabelRole)->widget());
    auto* value = qobject_cast<QLabel*>(details_->form->itemAt(row, QFormLayout::FieldRole)->widget());
    if (label && value) lines << label->text() + QLatin1Char(' ') + value->text();
  }
  lines << tr("Training cost:") + QLatin1Char(' ') + cost_->text();  // its field is the label and the button
  return lines.join(QLatin1Char('\n'));
}

void ModelPicker::chooseIndex(int index) {
  const QString id = combo_->itemData(index).toString();
  if (id == session_->modelId()) return;
  QString error;
  if (!session_->setModel(id, &error)) reportFailure(error);
}

bool ModelPicker::openCheckpoint(const QString& path) {
  QString error;
  if (session_->setModel(path, &error)) {
    rememberModel(path);
    return true;
  }
  reportFailure(error);
  return false;
}

void ModelPicker::openFileDialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open checkpoint"), QString(), tr("Checkpoints (*.safetensors)"));
  if (!path.isEmpty()) openCheckpoint(path);
}

// The session kept the previous model: put the combo back on it, then tell.
void ModelPicker::reportFailure(const QString& message) {
  selectCurrentModel();
  Q_EMIT loadFailed(message);
  if (!showsErrorDialogs_) return;
  // open(), not exec(): a nested event loop here would stall training updates.
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Model not loaded"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace tl
