#include "probe/probe_panel.h"

#include "probe/probe_run.h"
#include "session/experiment_session.h"
#include "session/session_config.h"
#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"
#include "util/run_directory.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tl {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QVector<ProbeTableRow> table_rows(const ProbeReport& report) {
  QVector<ProbeTableRow> rows;
  for (const auto& r : report.rows) {
    ProbeTableRow row{qs(r.point.layer), qs(r.point.block), qs(r.point.type), r.features};
    if (r.logistic_regression) {
      row.logisticTrain = r.logistic_regression->train_accuracy;
      row.logisticTest = r.logistic_regression->test.accuracy;
    }
    if (r.knn) row.knnTest = r.knn->test.accuracy;
    rows.push_back(row);
  }
  return rows;
}

/// What a finished probe hands to the GUI thread.
struct ProbeOutcome {
  QVector<ProbeTableRow> rows;
  QString runDir;
  double seconds = 0.0;
};

QTableWidgetItem* text_item(const QString& text) { return new QTableWidgetItem(text); }

QTableWidgetItem* number_item(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QTableWidgetItem* accuracy_item(double accuracy) {
  return number_item(accuracy < 0 ? QStringLiteral("–") : QString::number(100 * accuracy, 'f', 1) + QLatin1Char('%'));
}

}  // namespace

ProbePanel::ProbePanel(ExperimentSession* session, QWidget* parent)
    : QGroupBox(tr("Intermediate representations"), parent), session_(session), task_(new BackgroundTask(this)) {
  setObjectName(QStringLiteral("probePanel"));
  runsDirectory_ =
      QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("runs"));
  buildWidgets();
  connect(task_, &BackgroundTask::failed, this, &ProbePanel::showFailure);
  connect(task_, &BackgroundTask::cancelled, this, &ProbePanel::showCancelled);
}

// The task, a child, sets the probe's stop flag and joins its thread; the
// probe ends at the next batch.
ProbePanel::~ProbePanel() = default;

void ProbePanel::buildWidgets() {
  profile_ = new QPushButton(tr("Transferability profile"));
  profile_->setToolTip(tr("Fits logistic regression and k-nearest neighbours on the input pixels and on every "
                          "block's output: which layers' features separate the target classes best. "
                          "Right-click a layer in the tree to probe just that one."));
  progress_ = new TaskProgressBar(task_);
  progress_->cancelOnEscapeIn(this);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->hide();
  table_ = new QTableWidget(0, 5);
  table_->setHorizontalHeaderLabels({tr("Layer"), tr("Features"), tr("LR train"), tr("LR test"), tr("kNN test")});
  table_->horizontalHeaderItem(2)->setToolTip(tr("Logistic regression's accuracy on the training images"));
  table_->horizontalHeaderItem(3)->setToolTip(tr("Logistic regression's accuracy on the test images"));
  table_->horizontalHeaderItem(4)->setToolTip(tr("k-nearest neighbours' accuracy on the test images"));
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table_->setWordWrap(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->hide();

  auto* top = new QHBoxLayout;
  top->addWidget(profile_);
  top->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(table_);
  connect(profile_, &QPushButton::clicked, this, &ProbePanel::probeProfile);
}

bool ProbePanel::isProbing() const { return task_->isRunning(); }

QString ProbePanel::statusText() const { return status_->text(); }

bool ProbePanel::probeLayer(const QString& layer) { return !layer.isEmpty() && start(layer); }

bool ProbePanel::probeProfile() { return start(QString()); }

void ProbePanel::cancel() { task_->cancel(); }

bool ProbePanel::start(const QString& layer) {
  if (isProbing()) return false;
  ExperimentConfig config = sessionConfig(*session_);
  config.probe.layer = layer.toStdString();
  if (testPerClass_ > 0) config.target.test_per_class = testPerClass_;
  const QString runDir =
      QString::fromStdString(new_run_directory(runsDirectory_.toStdString(), config.name + "-probe"));
  task_->setCpuThreads(config.training.threads);
  task_->start(
      [config, runDir, layer](TaskContext& context) {
        context.progress(-1.0, layer.isEmpty() ? tr("Loading data for the transferability profile…")
                                               : tr("Loading data to probe %1…").arg(layer));
        ProbeControl control;
        control.stop = &context.cancelFlag();
        control.on_progress = [&context](const ProbeProgress& p) {
          if (p.layer.empty() || p.total < 1) return;  // all done: the result follows
          context.progress(static_cast<double>(p.done) / static_cast<double>(p.total),
                           tr("Probing %1 (%2 of %3)…").arg(qs(p.layer)).arg(p.done + 1).arg(p.total));
        };
        const ProbeReport report = run_probe(config, control);
        if (context.cancelled()) throw ProbeCancelled();  // cancelled after the last batch: save nothing
        write_probe(report, runDir.toStdString());
        return ProbeOutcome{table_rows(report), runDir, report.seconds};
      },
      [this](const ProbeOutcome& outcome) { showRows(outcome.rows, outcome.runDir, outcome.seconds); });
  setBusy(true);
  return true;
}

// The progress bar shows and hides itself with the task; the status line
// holds the last outcome and makes room while a probe runs.
void ProbePanel::setBusy(bool busy) {
  profile_->setEnabled(!busy);
  status_->setVisible(!busy);
}

void ProbePanel::showRows(const QVector<ProbeTableRow>& rows, const QString& runDir, double seconds) {
  rows_ = rows;
  lastRunDir_ = runDir;
  setBusy(false);
  table_->setRowCount(static_cast<int>(rows.size()));
  int best = 0;
  for (int i = 0; i < rows.size(); ++i) {
    const ProbeTableRow& r = rows[i];
    // One line per layer keeps the table short in the setup column; the
    // block and module type are in the tooltip.
    auto* layer = text_item(r.layer);
    layer->setToolTip(r.block.isEmpty() || r.block == r.layer ? r.type : r.block + QStringLiteral(" · ") + r.type);
    table_->setItem(i, 0, layer);
    table_->setItem(i, 1, number_item(QString::number(r.features)));
    table_->setItem(i, 2, accuracy_item(r.logisticTrain));
    table_->setItem(i, 3, accuracy_item(r.logisticTest));
    table_->setItem(i, 4, accuracy_item(r.knnTest));
    const auto primary = [](const ProbeTableRow& x) { return x.logisticTest >= 0 ? x.logisticTest : x.knnTest; };
    if (primary(r) > primary(rows[best])) best = i;
  }
  // Exactly as tall as its rows: the setup column has no height to spare.
  table_->setFixedHeight(table_->horizontalHeader()->height() + 2 * table_->frameWidth() +
                         table_->verticalHeader()->length());
  table_->show();
  if (!rows.isEmpty()) {
    status_->setText(tr("Best: %1 (%2 s). Saved to %3")
                         .arg(rows[best].layer)
                         .arg(seconds, 0, 'f', 1)
                         .arg(QDir::toNativeSeparators(runDir)));
  }
  Q_EMIT probed();
}

void ProbePanel::showFailure(const QString& message) {
  setBusy(false);
  status_->setText(tr("Could not probe: %1").arg(message));
  Q_EMIT failed(message);
}

void ProbePanel::showCancelled() {
  setBusy(false);
  status_->setText(tr("Probe cancelled."));
  Q_EMIT cancelled();
}

}  // namespace tl
