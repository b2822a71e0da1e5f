#include "runs/runs_panel.h"

#include "history/metrics_export.h"
#include "history/run_history.h"
#include "history/run_recording.h"
#include "plot/plot_presentation.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "runs/runs_table_model.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace tl {
namespace {

constexpr double kRunPenWidth = 2.0;

double metricValue(const EpochEvent& e, RunsPanel::Metric metric) {
  switch (metric) {
    case RunsPanel::Metric::ValidationAccuracy: return 100.0 * e.val_accuracy;
    case RunsPanel::Metric::ValidationLoss: return e.val_loss;
    case RunsPanel::Metric::TrainingAccuracy: return 100.0 * e.train_accuracy;
    case RunsPanel::Metric::TrainingLoss: return e.train_loss;
  }
  return 0.0;
}

bool isAccuracy(RunsPanel::Metric metric) {
  return metric == RunsPanel::Metric::ValidationAccuracy || metric == RunsPanel::Metric::TrainingAccuracy;
}

QString defaultHistoryPath() {
  try {
    return QString::fromStdString(default_history_path());
  } catch (const std::exception&) {
    return {};  // no HOME: the model says so
  }
}

}  // namespace

RunsPanel::RunsPanel(QWidget* parent)
    : QWidget(parent),
      model_(new RunsTableModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      view_(new QTableView),
      filter_(new QLineEdit),
      metricBox_(new QComboBox),
      plot_(new QCustomPlot),
      error_(new QLabel) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(RunsTableModel::SortRole);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);  // any column: name, model, strategy, status, verdict …

  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(RunsTableModel::Date, Qt::DescendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  view_->verticalHeader()->hide();
  // The name takes the spare width; the short columns fit their contents.
  QHeaderView* header = view_->horizontalHeader();
  header->setStretchLastSection(false);
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(RunsTableModel::Name, QHeaderView::Stretch);
  view_->setWordWrap(false);

  filter_->setPlaceholderText(tr("Filter runs (name, model, strategy, status, verdict)…"));
  filter_->setClearButtonEnabled(true);
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

  metricBox_->addItem(tr("Validation accuracy"), static_cast<int>(Metric::ValidationAccuracy));
  metricBox_->addItem(tr("Validation loss"), static_cast<int>(Metric::ValidationLoss));
  metricBox_->addItem(tr("Training accuracy"), static_cast<int>(Metric::TrainingAccuracy));
  metricBox_->addItem(tr("Training loss"), static_cast<int>(Metric::TrainingLoss));
  connect(metricBox_, &QComboBox::currentIndexChanged, this, &RunsPanel::updateOverlay);

  plot_->setMinimumHeight(160);
  plot_->xAxis->setLabel(tr("epoch"));
  // Whole epochs only: the history keeps one point per epoch.
  QSharedPointer<QCPAxisTickerFixed> epochTicks(new QCPAxisTickerFixed);
  epochTicks->setTickStep(1);
  epochTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  plot_->xAxis->setTicker(epochTicks);
  plot_->legend->setVisible(true);
  // The legend in a column of its own right of the curves, which it would
  // otherwise cover where they end (top right, for rising accuracies).
  // An empty element under it keeps the legend at its own height, at the top.
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  auto* side = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(0, 1, side);
  plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
  side->addElement(0, 0, plot_->legend);
  side->addElement(1, 0, new QCPLayoutElement(plot_));
  side->setRowStretchFactor(0, 0.001);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setNoAntialiasingOnDrag(true);
  followPresentationScale(plot_, kRunPenWidth);

  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #b00020"));
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->hide();

  buildActions();
  auto* bar = new QToolBar;
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addWidget(filter_);
  for (QAction* a : {rerunAction_, analyseAction_, renameAction_, deleteAction_, exportCsvAction_, exportPngAction_,
                     exportPdfAction_}) {
    bar->addAction(a);
  }

  auto* plotArea = new QWidget;
  auto* plotLayout = new QVBoxLayout(plotArea);
  plotLayout->setContentsMargins(0, 0, 0, 0);
  auto* metricRow = new QHBoxLayout;
  metricRow->addWidget(new QLabel(tr("Overlay of the selected runs:")));
  metricRow->addWidget(metricBox_);
  metricRow->addStretch(1);
  plotLayout->addLayout(metricRow);
  plotLayout->addWidget(plot_, 1);

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(view_);
  splitter->addWidget(plotArea);
  splitter->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(bar);
  layout->addWidget(error_);
  layout->addWidget(splitter, 1);

  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    updateOverlay();
    updateActions();
  });
  connect(model_, &RunsTableModel::errorOccurred, this, [this](const QString& text) {
    showError();
    Q_EMIT message(text);
  });
  setHistoryPath(defaultHistoryPath());
}

void RunsPanel::buildActions() {
  // Shortcuts act while the table (or another child) has focus, so Del in
  // the filter line still deletes text, not runs.
  const auto add = [this](const QString& text, const QKeySequence& key, auto slot) {
    auto* action = new QAction(text, this);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(action, &QAction::triggered, this, slot);
    view_->addAction(action);
    return action;
  };
  rerunAction_ = add(tr("Re-run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), &RunsPanel::requestRerun);
  rerunAction_->setToolTip(tr("Load the selected run's config into the session and train it again"));
  analyseAction_ = add(tr("Analyse"), QKeySequence(), &RunsPanel::requestAnalysis);
  analyseAction_->setToolTip(tr("Open the selected run in the Analysis view: confusion matrices, per-class gaps, "
                                "top losses, feature maps"));
  renameAction_ = add(tr("Rename"), QKeySequence(Qt::Key_F2), [this] {
    const QModelIndex current = view_->currentIndex();
    if (current.isValid()) view_->edit(current.siblingAtColumn(RunsTableModel::Name));
  });
  deleteAction_ = add(tr("Delete"), QKeySequence::Delete, [this] { deleteSelected(); });
  deleteAction_->setToolTip(tr("Remove the selected runs from the history (their folders stay on disk)"));
  exportCsvAction_ = add(tr("Export CSV…"), QKeySequence(), &RunsPanel::exportCsvWithDialog);
  exportCsvAction_->setToolTip(tr("The selected runs' per-epoch metrics, one row per run and epoch"));
  exportPngAction_ = add(tr("Plot PNG…"), QKeySequence(), [this] { exportPlotWithDialog(false); });
  exportPdfAction_ = add(tr("Plot PDF…"), QKeySequence(), [this] { exportPlotWithDialog(true); });
  view_->setContextMenuPolicy(Qt::ActionsContextMenu);
  updateActions();
}

void RunsPanel::setHistoryPath(const QString& path) {
  model_->setHistoryPath(path);
  showError();
  updateOverlay();
  updateActions();
}

QString RunsPanel::historyPath() const { return model_->historyPath(); }
QString RunsPanel::errorText() const { return model_->errorText(); }

void RunsPanel::refresh() {
  const QList<qint64> selected = selectedRunIds();
  model_->refresh();
  showError();
  selectRuns(selected);
  updateOverlay();
  updateActions();
}

void RunsPanel::showError() {
  const QString text = model_->errorText();
  error_->setText(tr("Run history: %1").arg(text));
  error_->setVisible(!text.isEmpty());
}

QList<qint64> RunsPanel::selectedRunIds() const {
  QList<qint64> ids;
  for (const QModelIndex& index : view_->selectionModel()->selectedRows()) {
    ids << index.data(RunsTableModel::IdRole).value<qint64>();
  }
  // Table order, top to bottom, so colours and CSV rows follow what one sees.
  std::sort(ids.begin(), ids.end(), [this](qint64 a, qint64 b) {
    return proxy_->mapFromSource(model_->index(model_->rowOfId(a), 0)).row() <
           proxy_->mapFromSource(model_->index(model_->rowOfId(b), 0)).row();
  });
  return ids;
}

void RunsPanel::selectRuns(const QList<qint64>& ids) {
  QItemSelection selection;
  for (qint64 id : ids) {
    const int row = model_->rowOfId(id);
    if (row < 0) continue;
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, 0));
    if (index.isValid()) selection.select(index, index);
  }
  view_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void RunsPanel::setMetric(Metric metric) { metricBox_->setCurrentIndex(metricBox_->findData(static_cast<int>(metric))); }
RunsPanel::Metric RunsPanel::metric() const { return static_cast<Metric>(metricBox_->currentData().toInt()); }

void RunsPanel::updateActions() {
  const int selected = static_cast<int>(view_->selectionModel()->selectedRows().size());
  rerunAction_->setEnabled(selected == 1);
  analyseAction_->setEnabled(selected == 1);
  renameAction_->setEnabled(selected == 1);
  for (QAction* a : {deleteAction_, exportCsvAction_, exportPngAction_, exportPdfAction_}) a->setEnabled(selected > 0);
}

/// One graph per selected run: the chosen metric over its epochs.
void RunsPanel::updateOverlay() {
  plot_->clearGraphs();
  const Metric m = metric();
  const QList<qint64> ids = selectedRunIds();
  int index = 0;
  for (qint64 id : ids) {
    const HistoryRun* run = model_->runAt(model_->rowOfId(id));
    if (!run) continue;
    QVector<double> x, y;
    for (const EpochEvent& e : model_->epochs(id)) {
      x << e.epoch;
      y << metricValue(e, m);
    }
    QCPGraph* graph = plot_->addGraph();
    graph->setName(QStringLiteral("#%1 %2").arg(id).arg(QString::fromStdString(run->name)));
    graph->setPen(QPen(style::seriesColor(index), scaledPenWidth(kRunPenWidth), style::seriesPenStyle(index)));
    ++index;
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    graph->setData(x, y, /*alreadySorted=*/true);
  }
  plot_->yAxis->setLabel(metricBox_->currentText() + (isAccuracy(m) ? tr(" (%)") : QString()));
  plot_->legend->setVisible(plot_->graphCount() > 0);
  plot_->rescaleAxes();
  if (isAccuracy(m)) plot_->yAxis->setRange(0, 100);
  plot_->xAxis->setRange(plot_->xAxis->range().lower - 0.2, plot_->xAxis->range().upper + 0.2);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

int RunsPanel::deleteSelected() {
  const QList<qint64> ids = selectedRunIds();
  if (ids.isEmpty()) return 0;
  if (confirmDeletes_) {
    const auto answer = QMessageBox::question(
        this, tr("Delete runs"),
        tr("Remove %n run(s) from the history? Their folders (run.json, metrics, models) stay on disk.", nullptr,
           static_cast<int>(ids.size())),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes) return 0;
  }
  const int removed = model_->removeRuns(ids);
  updateOverlay();
  updateActions();
  if (removed > 0) Q_EMIT message(tr("Deleted %n run(s) from the history", nullptr, removed));
  return removed;
}

bool RunsPanel::exportCsv(const QString& path, QString* error) {
  const QList<qint64> ids = selectedRunIds();
  QString problem;
  if (ids.isEmpty()) problem = tr("Select the runs to export first.");
  std::vector<HistoryRun> runs;
  for (qint64 id : ids) {
    if (!problem.isEmpty()) break;
    auto run = model_->run(id);
    if (run) runs.push_back(std::move(*run));
    else problem = tr("Run %1 is no longer in the history.").arg(id);
  }
  if (problem.isEmpty()) {
    try {
      write_epochs_csv(runs, path.toStdString());
    } catch (const std::exception& e) {
      problem = QString::fromStdString(e.what());
    }
  }
  if (error) *error = problem;
  return problem.isEmpty();
}

bool RunsPanel::exportPng(const QString& path) { return plot_->savePng(path, 1200, 800); }
bool RunsPanel::exportPdf(const QString& path) { return plot_->savePdf(path, 1200, 800); }

void RunsPanel::requestRerun() {
  const QList<qint64> ids = selectedRunIds();
  if (ids.size() != 1) return;
  const auto run = model_->run(ids.front());
  if (!run) return;
  if (!run->config.is_object()) {
    Q_EMIT message(tr("Run %1 has no readable config to run again.").arg(run->id));
    return;
  }
  const RunRepetition repetition = recorded_repetition(run->output_dir);
  Q_EMIT rerunRequested(QString::fromStdString(run->config.dump(2)), QString::fromStdString(run->name),
                        repetition.seeds, repetition.twin);
}

void RunsPanel::requestAnalysis() {
  const QList<qint64> ids = selectedRunIds();
  if (ids.size() != 1) return;
  const auto run = model_->run(ids.front());
  if (!run) return;
  if (run->output_dir.empty()) {
    Q_EMIT message(tr("Run %1 has no folder to analyse.").arg(run->id));
    return;
  }
  Q_EMIT analysisRequested(QString::fromStdString(run->output_dir));
}

void RunsPanel::exportCsvWithDialog() {
  const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  const QString path = QFileDialog::getSaveFileName(this, tr("Export run metrics"),
                                                    QDir(dir).filePath(QStringLiteral("runs.csv")),
                                                    tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (exportCsv(path, &error)) Q_EMIT message(tr("Metrics saved to %1").arg(path));
  else QMessageBox::warning(this, tr("Export failed"), error);
}

void RunsPanel::exportPlotWithDialog(bool pdf) {
  const auto folder = pdf ? QStandardPaths::DocumentsLocation : QStandardPaths::PicturesLocation;
  const QString name = pdf ? QStringLiteral("runs-overlay.pdf") : QStringLiteral("runs-overlay.png");
  const QString path = QFileDialog::getSaveFileName(
      this, pdf ? tr("Export overlay as PDF") : tr("Export overlay as PNG"),
      QDir(QStandardPaths::writableLocation(folder)).filePath(name),
      pdf ? tr("PDF documents (*.pdf)") : tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (pdf ? exportPdf(path) : exportPng(path)) Q_EMIT message(tr("Plot saved to %1").arg(path));
  else QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1").arg(path));
}

}  // namespace tl
