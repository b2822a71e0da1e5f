#include "panels/model_picker.h"

#include "session/experiment_session.h"
#include "session/number_format.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace tl {

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
}

void ModelPicker::populateChoices() {
  combo_->clear();
  for (const ModelChoice& choice : ExperimentSession::availableModels()) combo_->addItem(choice.label, choice.id);
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
}

QString ModelPicker::detailsText() const {
  QStringList lines;
  for (int row = 0; row < details_->form->rowCount(); ++row) {
    auto* label = qobject_cast<QLabel*>(details_->form->itemAt(row, QFormLayout::LabelRole)->widget());
    auto* value = qobject_cast<QLabel*>(details_->form->itemAt(row, QFormLayout::FieldRole)->widget());
    if (label && value) lines << label->text() + QLatin1Char(' ') + value->text();
  }
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
  if (session_->setModel(path, &error)) return true;
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
