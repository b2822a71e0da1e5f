#include "probe/probe_panel.h"

#include "probe/probe_run.h"
#include "session/experiment_session.h"
#include "session/session_config.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

#include <atomic>
#include <thread>

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

/// "<runs>/<name>-probe-<yyyyMMdd-HHmmss>", unique with a suffix.
QString new_probe_dir(const QString& runs, const QString& name) {
  QString safe = name;
  safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  const QString base = QDir(runs).filePath(safe + QStringLiteral("-probe-") + stamp);
  QString dir = base;
  for (int i = 2; QFileInfo::exists(dir); ++i) dir = base + QLatin1Char('-') + QString::number(i);
  return dir;
}

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

/// One probe at a time on its own thread; results come back to the GUI
/// thread through queued calls. `stop` ends it between two batches.
struct ProbePanel::Worker {
  std::thread thread;
  std::atomic<bool> running{false};
  std::atomic<bool> stop{false};

  void join() {
    if (thread.joinable()) thread.join();
  }
};

ProbePanel::ProbePanel(ExperimentSession* session, QWidget* parent)
    : QGroupBox(tr("Intermediate representations"), parent), session_(session), worker_(std::make_unique<Worker>()) {
  setObjectName(QStringLiteral("probePanel"));
  runsDirectory_ =
      QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("runs"));
  buildWidgets();
}

ProbePanel::~ProbePanel() {
  worker_->stop = true;
  worker_->join();
}

void ProbePanel::buildWidgets() {
  profile_ = new QPushButton(tr("Transferability profile"));
  profile_->setToolTip(tr("Fits logistic regression and k-nearest neighbours on the input pixels and on every "
                          "block's output: which layers' features separate the target classes best. "
                          "Right-click a layer in the tree to probe just that one."));
  stop_ = new QPushButton(tr("Stop"));
  stop_->hide();
  busy_ = new QProgressBar;
  busy_->setTextVisible(false);
  busy_->setMaximumHeight(profile_->sizeHint().height() / 2);
  busy_->hide();
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
  top->addWidget(stop_);
  top->addWidget(busy_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(status_);
  layout->addWidget(table_);
  connect(profile_, &QPushButton::clicked, this, &ProbePanel::probeProfile);
  connect(stop_, &QPushButton::clicked, this, &ProbePanel::stop);
}

bool ProbePanel::isProbing() const { return worker_->running; }

QString ProbePanel::statusText() const { return status_->text(); }

bool ProbePanel::probeLayer(const QString& layer) { return !layer.isEmpty() && start(layer); }

bool ProbePanel::probeProfile() { return start(QString()); }

void ProbePanel::stop() { worker_->stop = true; }

bool ProbePanel::start(const QString& layer) {
  if (isProbing()) return false;
  worker_->join();  // the last one has posted its result already
  ExperimentConfig config = sessionConfig(*session_);
  config.probe.layer = layer.toStdString();
  if (testPerClass_ > 0) config.target.test_per_class = testPerClass_;
  const QString runDir = new_probe_dir(runsDirectory_, qs(config.name));
  worker_->stop = false;
  worker_->running = true;
  setBusy(true);
  status_->setText(layer.isEmpty() ? tr("Loading data for the transferability profile…")
                                   : tr("Loading data to probe %1…").arg(layer));
  worker_->thread = std::thread([this, config, runDir, worker = worker_.get()] {
    QVector<ProbeTableRow> rows;
    QString error;
    double seconds = 0.0;
    try {
      ProbeControl control;
      control.stop = &worker->stop;
      control.on_progress = [this](const ProbeProgress& p) {
        const QString next = qs(p.layer);
        const int done = static_cast<int>(p.done), total = static_cast<int>(p.total);
        QMetaObject::invokeMethod(this, [this, done, total, next] { showProgress(done, total, next); },
                                  Qt::QueuedConnection);
      };
      const ProbeReport report = run_probe(config, control);
      write_probe(report, runDir.toStdString());
      rows = table_rows(report);
      seconds = report.seconds;
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    worker->running = false;
    // The panel outlives the thread (its destructor joins); a call still
    // queued when it is deleted is dropped by Qt.
    QMetaObject::invokeMethod(
        this,
        [this, rows, error, runDir, seconds] {
          if (error.isEmpty()) showRows(rows, runDir, seconds);
          else showFailure(error);
        },
        Qt::QueuedConnection);
  });
  return true;
}

void ProbePanel::setBusy(bool busy) {
  profile_->setEnabled(!busy);
  stop_->setVisible(busy);
  busy_->setVisible(busy);
  busy_->setRange(0, 0);  // until the first layer reports
  status_->setVisible(true);
}

void ProbePanel::showProgress(int done, int total, const QString& layer) {
  if (!isProbing() || layer.isEmpty()) return;
  busy_->setRange(0, total);
  busy_->setValue(done);
  status_->setText(tr("Probing %1 (%2 of %3)…").arg(layer).arg(done + 1).arg(total));
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

}  // namespace tl
