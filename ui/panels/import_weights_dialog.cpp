#include "panels/import_weights_dialog.h"

#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"

#include "models/model_zoo.h"
#include "weights/checkpoint_import.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace tl {
namespace {

QString nameList(const char* title, const std::vector<std::string>& names) {
  QString text = QStringLiteral("%1 (%2):").arg(QString::fromLatin1(title)).arg(names.size());
  if (names.empty()) return text + QStringLiteral(" none");
  for (const auto& name : names) text += QStringLiteral("\n  ") + QString::fromStdString(name);
  return text;
}

QString shapeText(const std::vector<int64_t>& shape) {
  QStringList dims;
  for (int64_t d : shape) dims << QString::number(d);
  return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

/// The report as the dialog shows it: the summary line, then every list.
QString reportText(const QString& file, const QString& checkpoint, const ImportReport& r) {
  QString text = QObject::tr("%1 → %2\n%3\n\n").arg(file, checkpoint, QString::fromStdString(r.summary()));
  text += QStringLiteral("Shape mismatches (%1):").arg(r.mismatched.size());
  if (r.mismatched.empty()) text += QStringLiteral(" none");
  for (const auto& m : r.mismatched) {
    text += QObject::tr("\n  %1: file %2, model %3")
                .arg(QString::fromStdString(m.name), shapeText(m.file_shape), shapeText(m.model_shape));
  }
  text += QStringLiteral("\n") + nameList("Missing", r.missing) + QStringLiteral("\n") +
          nameList("Unexpected", r.unexpected) + QStringLiteral("\n") + nameList("Loaded", r.loaded);
  return text;
}

/// "resnet18.pt" as resnet18 → "resnet18-resnet18.safetensors".
QString checkpointName(const QString& file, const QString& architecture) {
  return QFileInfo(file).completeBaseName() + QLatin1Char('-') + architecture + QStringLiteral(".safetensors");
}

/// What a finished import hands to the GUI thread.
struct ImportOutcome {
  QString report;
  QString checkpoint;
};

}  // namespace

ImportWeightsDialog::ImportWeightsDialog(QWidget* parent)
    : QDialog(parent),
      task_(new BackgroundTask(this)),
      file_(new QLineEdit(this)),
      architecture_(new QComboBox(this)),
      partial_(new QCheckBox(tr("Allow a partial load (load what fits, report the rest)"), this)),
      import_(new QPushButton(tr("&Import"), this)),
      progress_(new TaskProgressBar(task_, this)),
      report_(new QPlainTextEdit(this)) {
  setWindowTitle(tr("Import weights"));
  setObjectName(QStringLiteral("importWeightsDialog"));
  file_->setPlaceholderText(tr("TorchScript export (.pt) or safetensors state dict"));
  auto* browse = new QPushButton(tr("&Browse…"), this);
  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(file_, 1);
  fileRow->addWidget(browse);
  for (const auto& name : architecture_names()) architecture_->addItem(QString::fromStdString(name));
  architecture_->setCurrentText(QStringLiteral("resnet18"));
  architecture_->setToolTip(tr("The architecture the file was exported from; its tensor names must match"));
  partial_->setToolTip(
      tr("A different classifier head is always fine (it is replaced); other differences refuse the import "
         "unless this is ticked"));
  progress_->cancelOnEscapeIn(this);  // Esc cancels a running import before it closes the dialog
  report_->setReadOnly(true);
  report_->setPlaceholderText(tr("The import report (loaded, missing, unexpected, mismatched tensors) appears here"));
  report_->setMinimumSize(480, 220);
  import_->setDefault(true);

  auto* form = new QFormLayout;
  form->addRow(tr("&File:"), fileRow);
  form->addRow(tr("&Architecture:"), architecture_);
  form->addRow(QString(), partial_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  buttons->addButton(import_, QDialogButtonBox::ActionRole);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(progress_);
  layout->addWidget(report_, 1);
  layout->addWidget(buttons);

  connect(browse, &QPushButton::clicked, this, &ImportWeightsDialog::browse);
  connect(import_, &QPushButton::clicked, this, &ImportWeightsDialog::startImport);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(task_, &BackgroundTask::failed, this, &ImportWeightsDialog::showFailure);
  connect(task_, &BackgroundTask::cancelled, this, [this] {
    setBusy(false);
    report_->setPlainText(tr("Import cancelled."));
  });
}

// The task, a child, joins the import; core's import cannot be interrupted
// inside, so this waits for it to end (nothing is saved after the cancel).
ImportWeightsDialog::~ImportWeightsDialog() = default;

QString ImportWeightsDialog::modelsDirectory() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("models"));
}

bool ImportWeightsDialog::isBusy() const { return task_->isRunning(); }

void ImportWeightsDialog::cancelImport() { task_->cancel(); }

void ImportWeightsDialog::browse() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Import weights"), QFileInfo(file_->text()).path(),
                                                    tr("PyTorch exports (*.pt *.safetensors);;All files (*)"));
  if (!path.isEmpty()) file_->setText(path);
}

bool ImportWeightsDialog::startImport() {
  const QString file = file_->text().trimmed();
  if (isBusy() || file.isEmpty()) return false;
  const QString architecture = architecture_->currentText();
  const QString directory = modelsDirectory();
  const QString checkpoint = QDir(directory).filePath(checkpointName(file, architecture));
  const ImportOptions options{partial_->isChecked()};
  task_->start(
      [file, architecture, directory, checkpoint, options](TaskContext& context) {
        const std::string created = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        const ImportedCheckpoint imported =
            import_checkpoint(file.toStdString(), architecture.toStdString(), created, options);
        // import_checkpoint has no cancel hook: a cancel during it stops here, before anything is saved.
        if (context.cancelled()) return ImportOutcome{};
        if (!QDir().mkpath(directory)) throw std::runtime_error(directory.toStdString() + ": cannot create the folder");
        save_checkpoint(imported.checkpoint, checkpoint.toStdString());
        return ImportOutcome{reportText(file, checkpoint, imported.report), checkpoint};
      },
      [this](const ImportOutcome& outcome) { showImported(outcome.report, outcome.checkpoint); });
  setBusy(true);
  report_->setPlainText(tr("Importing %1 as %2…").arg(file, architecture));
  return true;
}

void ImportWeightsDialog::setBusy(bool busy) { import_->setEnabled(!busy); }

void ImportWeightsDialog::showImported(const QString& report, const QString& checkpointPath) {
  setBusy(false);
  report_->setPlainText(report);
  Q_EMIT imported(checkpointPath);
}

void ImportWeightsDialog::showFailure(const QString& message) {
  setBusy(false);
  report_->setPlainText(tr("Not imported: %1").arg(message));
  Q_EMIT importFailed(message);
}

}  // namespace tl
