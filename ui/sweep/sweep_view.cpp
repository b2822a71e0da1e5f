#include "sweep/sweep_view.h"

#include "experiment/experiment_config.h"
#include "experiment/run_resume.h"
#include "sweep/sweep_heat_map.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_spec.h"
#include "sweep/sweep_table.h"
#include "sweep/sweep_table_model.h"
#include "sweep/transferability_plot.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace tl {
namespace {

const QString kLastSweepKey = QStringLiteral("sweep/lastFolder");

bool unfinished(const SweepTable& table) {
  return static_cast<int64_t>(table.trials.size()) < table.total_trials;
}

}  // namespace

SweepView::SweepView(QWidget* parent)
    : QWidget(parent), runner_(new SweepRunner(this)), model_(new SweepTableModel(this)), filter_(new SweepTrialFilter(this)) {
  filter_->setSourceModel(model_);
  empty_ = new QLabel(tr("<p><b>No sweep yet.</b></p>"
                         "<p>Experiment ▸ Sweep… (Ctrl+Shift+W) runs the current experiment once per frozen depth, "
                         "learning rate or number of labels, over several seeds, beside a scratch twin, and draws "
                         "test accuracy against frozen depth here.</p>"
                         "<p>File ▸ Open sweep… shows a folder written by an earlier sweep or by "
                         "<tt>transferlab-cli sweep CONFIG</tt>.</p>"));
  empty_->setObjectName(QStringLiteral("sweepEmptyState"));
  empty_->setWordWrap(true);
  empty_->setAlignment(Qt::AlignCenter);
  empty_->setMargin(24);

  auto* sweep = new QWidget;
  auto* column = new QVBoxLayout(sweep);
  column->setContentsMargins(0, 0, 0, 0);
  column->addWidget(buildHeader());
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(buildTablePane());
  split->addWidget(buildPlotPane());
  // The table's numbers (gain, time) must fit beside a readable curve: 3 : 2.
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({600, 400});
  split->setChildrenCollapsible(false);
  column->addWidget(split, 1);

  pages_ = new QStackedWidget;
  pages_->addWidget(empty_);
  pages_->addWidget(sweep);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(pages_);
  connectRunner();
}

SweepView::~SweepView() = default;

QWidget* SweepView::buildHeader() {
  auto* header = new QWidget;
  auto* row = new QHBoxLayout(header);
  row->setContentsMargins(4, 2, 4, 2);
  title_ = new QLabel;
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(180);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setToolTip(tr("Stop the sweep after the current batch (Esc); Resume continues it later"));
  resume_ = new QPushButton(tr("Resume"));
  resume_->setToolTip(tr("Run the trials this sweep has not finished; finished ones are not run again"));
  connect(cancel_, &QPushButton::clicked, runner_, &SweepRunner::cancel);
  connect(resume_, &QPushButton::clicked, this, &SweepView::resumeSweep);
  row->addWidget(title_, 1);
  row->addWidget(status_);
  row->addWidget(progress_);
  row->addWidget(cancel_);
  row->addWidget(resume_);
  return header;
}

QWidget* SweepView::buildTablePane() {
  auto* pane = new QWidget;
  auto* column = new QVBoxLayout(pane);
  column->setContentsMargins(0, 0, 0, 0);
  filterEdit_ = new QLineEdit;
  filterEdit_->setPlaceholderText(tr("Filter trials (any column)"));
  filterEdit_->setClearButtonEnabled(true);
  connect(filterEdit_, &QLineEdit::textChanged, filter_, &QSortFilterProxyModel::setFilterFixedString);
  table_ = new QTableView;
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(0, Qt::AscendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);  // eight trials without scrolling
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  connect(table_, &QTableView::doubleClicked, this, [this] { applySelectedTrial(); });
  apply_ = new QPushButton(tr("Apply this trial"));
  apply_->setToolTip(tr("Set the window up as the selected trial: its model, strategy, learning rate and data"));
  apply_->setEnabled(false);
  connect(apply_, &QPushButton::clicked, this, &SweepView::applySelectedTrial);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { apply_->setEnabled(selectedTrial() != nullptr); });
  connect(model_, &QAbstractItemModel::modelReset, this, [this] { apply_->setEnabled(selectedTrial() != nullptr); });
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(apply_);
  column->addWidget(filterEdit_);
  column->addWidget(table_, 1);
  column->addLayout(buttons);
  return pane;
}

QWidget* SweepView::buildPlotPane() {
  auto* pane = new QWidget;
  auto* column = new QVBoxLayout(pane);
  column->setContentsMargins(0, 0, 0, 0);
  plotSwitch_ = new QComboBox;
  plotSwitch_->addItems({tr("Transferability curve"), tr("Heat map")});
  plotSwitch_->setToolTip(tr("Two axes: accuracy against frozen depth, or one cell per combination"));
  curve_ = new TransferabilityPlot;
  heatMap_ = new SweepHeatMap;
  plots_ = new QStackedWidget;
  plots_->addWidget(curve_);
  plots_->addWidget(heatMap_);
  connect(plotSwitch_, qOverload<int>(&QComboBox::currentIndexChanged), plots_, &QStackedWidget::setCurrentIndex);
  column->addWidget(plotSwitch_, 0, Qt::AlignLeft);
  column->addWidget(plots_, 1);
  return pane;
}

void SweepView::connectRunner() {
  connect(runner_, &SweepRunner::tableChanged, this, [this] { showTable(runner_->table()); });
  connect(runner_, &SweepRunner::progress, this, [this](double fraction, const QString& text) {
    if (fraction >= 0) progress_->setValue(static_cast<int>(fraction * 1000));
    status_->setText(text);
  });
  connect(runner_, &SweepRunner::started, this, &SweepView::updateHeader);
  connect(runner_, &SweepRunner::finished, this, [this](bool complete, const QString& text) {
    status_->setText(complete ? tr("finished") : text);
    updateHeader();
    Q_EMIT message(complete ? tr("Sweep finished: %1").arg(QDir::toNativeSeparators(directory_)) : text);
  });
  connect(runner_, &SweepRunner::failed, this, [this](const QString& text) {
    status_->setText(tr("failed"));
    updateHeader();
    Q_EMIT failed(text);
  });
}

bool SweepView::startSweep(const QByteArray& configJson, const QString& dir) {
  if (!runner_->start(configJson, dir)) return false;
  directory_ = dir;
  rememberFolder(dir);
  progress_->setValue(0);
  status_->setText(tr("preparing…"));
  SweepTable starting;
  try {
    starting.name = nlohmann::json::parse(configJson.toStdString()).value("name", std::string());
  } catch (const std::exception&) {
    // The runner reports the parse error.
  }
  showTable(starting);
  pages_->setCurrentIndex(1);
  updateHeader();
  return true;
}

bool SweepView::openSweep(const QString& dir, QString* error) {
  try {
    const SweepTable table = read_sweep(dir.toStdString());
    directory_ = dir;
    rememberFolder(dir);
    status_->clear();
    showTable(table);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

bool SweepView::reopenLastSweep() {
  const QString dir = QSettings().value(kLastSweepKey).toString();
  return !dir.isEmpty() && QFile::exists(QDir(dir).filePath(QStringLiteral("sweep.json"))) && openSweep(dir);
}

bool SweepView::canResume() const {
  return !runner_->isRunning() && !directory_.isEmpty() && unfinished(model_->table()) &&
         !model_->table().base_config.is_null();
}

bool SweepView::resumeSweep() {
  if (!canResume()) return false;
  nlohmann::json config = model_->table().base_config;
  config["sweep"] = model_->table().spec;
  return startSweep(QByteArray::fromStdString(config.dump()), directory_);
}

void SweepView::rememberFolder(const QString& dir) { QSettings().setValue(kLastSweepKey, dir); }

void SweepView::showTable(const SweepTable& table) {
  const int selected = selectedTrial() ? selectedTrial()->index : -1;
  model_->setTable(table);
  for (int row = 0; row < filter_->rowCount(); ++row) {
    const TrialResult* trial = model_->trialAt(filter_->mapToSource(filter_->index(row, 0)).row());
    if (trial && trial->index == selected) table_->selectRow(row);
  }
  showPlots(table);
  pages_->setCurrentIndex(1);
  updateHeader();
}

void SweepView::showPlots(const SweepTable& table) {
  curve_->setTable(table);
  heatMap_->setTable(table);
  const bool both = SweepHeatMap::appliesTo(table);
  plotSwitch_->setVisible(both);
  if (!both) plotSwitch_->setCurrentIndex(0);
}

void SweepView::updateHeader() {
  const SweepTable& table = model_->table();
  const QString name = QString::fromStdString(table.name);
  const QString trials = table.total_trials > 0
                             ? tr("%1 of %2 trials").arg(table.trials.size()).arg(table.total_trials)
                             : QString();
  QStringList parts{name, trials};
  parts.removeAll(QString());
  title_->setText(parts.join(QStringLiteral(" · ")));
  title_->setToolTip(QDir::toNativeSeparators(directory_));
  const bool running = runner_->isRunning();
  progress_->setVisible(running);
  cancel_->setVisible(running);
  resume_->setVisible(canResume());
}

bool SweepView::showsEmptyState() const { return pages_->currentIndex() == 0; }
QString SweepView::emptyText() const { return empty_->text(); }

const TrialResult* SweepView::selectedTrial() const {
  const QModelIndexList rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return nullptr;
  return model_->trialAt(filter_->mapToSource(rows.front()).row());
}

QByteArray SweepView::trialConfigJson(int row, QString* error) const {
  const TrialResult* trial = model_->trialAt(filter_->mapToSource(filter_->index(row, 0)).row());
  if (!trial) return {};
  QFile file(QString::fromStdString(trial->run_dir.empty() ? std::string() : run_config_path(trial->run_dir)));
  if (!trial->run_dir.empty() && file.open(QIODevice::ReadOnly)) return file.readAll();
  try {
    ExperimentConfig config = config_from_json(model_->table().base_config);
    const int64_t blocks = model_block_count(config);
    for (const auto& [field, value] : trial->values.items()) config = apply_sweep_value(config, field, value, blocks, field);
    return QByteArray::fromStdString(config_to_json(config).dump());
  } catch (const std::exception& e) {
    if (error) *error = tr("Trial %1's config cannot be rebuilt: %2").arg(trial->index + 1).arg(QString::fromUtf8(e.what()));
    return {};
  }
}

void SweepView::applySelectedTrial() {
  const QModelIndexList rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return;
  const TrialResult* trial = selectedTrial();
  QString error;
  const QByteArray json = trialConfigJson(rows.front().row(), &error);
  if (json.isEmpty()) {
    Q_EMIT failed(error);
    return;
  }
  Q_EMIT applyRequested(json, QString::fromStdString(trial_label(trial->values, model_->table().axes)));
}

void SweepView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Escape && runner_->isRunning()) {
    runner_->cancel();
    event->accept();
    return;
  }
  QWidget::keyPressEvent(event);
}

}  // namespace tl
