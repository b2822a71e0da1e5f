#include "similarity/similarity_panel.h"

#include "experiment/similarity_meter.h"
#include "session/experiment_session.h"
#include "session/session_config.h"
#include "session/session_error_box.h"
#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tl {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

SimilarityResult result_of(const SimilarityReport& report) {
  SimilarityResult r;
  for (const auto& d : report.depths) r.depths.push_back({qs(d.block), d.dims, d.mmd2, d.proxy_a_distance});
  const SimilarityRecommendation& rec = report.recommendation;
  r.similarity = qs(similarity_name(rec.similarity));
  r.strategy = qs(strategy_name(rec.strategy.strategy));
  r.blocks = rec.strategy.strategy == Strategy::SelectiveTransfer ? rec.strategy.options.transferred_blocks
                                                                  : rec.strategy.options.top_blocks;
  r.lowerLrMultiplier = rec.strategy.options.lower_lr_multiplier;
  r.reason = qs(rec.reason);
  return r;
}

QTableWidgetItem* numberItem(double value, int decimals) {
  auto* item = new QTableWidgetItem(QString::number(value, 'f', decimals));
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

SimilarityPanel::SimilarityPanel(ExperimentSession* session, QWidget* parent)
    : QGroupBox(tr("Domain similarity"), parent), session_(session), task_(new BackgroundTask(this)) {
  setObjectName(QStringLiteral("similarityPanel"));
  buildWidgets();
  connect(session_, &ExperimentSession::configChanged, this, &SimilarityPanel::onConfigChanged);
  connect(task_, &BackgroundTask::failed, this, &SimilarityPanel::showFailure);
  connect(task_, &BackgroundTask::cancelled, this, &SimilarityPanel::showCancelled);
  updateButtons();
}

// The task, a child, joins the meter's thread. Core's meter has no cancel
// hook, so closing during a measurement waits for it to end.
SimilarityPanel::~SimilarityPanel() = default;

void SimilarityPanel::buildWidgets() {
  measure_ = new QPushButton(tr("Measure similarity"));
  measure_->setToolTip(tr("Compares the model's source images with your target on the frozen model's features "
                          "after every block (a few seconds)"));
  progress_ = new TaskProgressBar(task_);  // a busy bar: the meter reports no progress
  progress_->cancelOnEscapeIn(this);
  table_ = new QTableWidget(0, 3);
  table_->setHorizontalHeaderLabels({tr("Block"), tr("MMD²"), tr("A-distance")});
  table_->horizontalHeaderItem(1)->setToolTip(tr("Maximum mean discrepancy: 0 = same feature distribution"));
  table_->horizontalHeaderItem(2)->setToolTip(
      tr("Proxy A-distance: 0 = a classifier cannot tell source from target, 2 = fully separable"));
  table_->verticalHeader()->hide();
  // Compact rows: the setup column has no height to spare.
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->hide();
  recommendation_ = new QLabel;
  recommendation_->setWordWrap(true);
  recommendation_->hide();
  apply_ = new QPushButton(tr("Apply recommendation"));
  apply_->setToolTip(tr("Sets the recommended similarity and strategy"));
  apply_->hide();

  auto* top = new QHBoxLayout;
  top->addWidget(measure_);
  top->addWidget(progress_, 1);
  top->addStretch();  // the button keeps its width while the progress is hidden
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(table_);
  layout->addWidget(recommendation_);
  layout->addWidget(apply_, 0, Qt::AlignLeft);
  connect(measure_, &QPushButton::clicked, this, &SimilarityPanel::measure);
  connect(apply_, &QPushButton::clicked, this, [this] {
    if (undoConfig_.isEmpty()) applyRecommendation();
    else undoRecommendation();
  });
}

bool SimilarityPanel::isMeasuring() const { return task_->isRunning(); }

bool SimilarityPanel::measure() {
  if (isMeasuring() || !session_->hasPretrainedModel()) return false;
  measuring_ = measuredPart();
  SimilarityOptions options;
  const ExperimentConfig config = sessionConfig(*session_);
  options.seed = config.training.seed;
  options.samples_per_domain = samples_;
  task_->setCpuThreads(config.training.threads);
  // measure_similarity takes no cancel flag: a cancelled measurement runs on
  // to its end unseen and its result is dropped.
  task_->start([config, options](TaskContext&) { return result_of(measure_similarity(config, options)); },
               [this](const SimilarityResult& result) { showResult(result); });
  setBusy(true);
  return true;
}

void SimilarityPanel::cancel() { task_->cancel(); }

void SimilarityPanel::setBusy(bool busy) {
  measure_->setText(busy ? tr("Measuring…") : tr("Measure similarity"));
  updateButtons();
}

void SimilarityPanel::updateButtons() {
  const bool pretrained = session_->hasPretrainedModel();
  measure_->setEnabled(pretrained && !isMeasuring());
  measure_->setToolTip(pretrained ? tr("Compares the model's source images with your target on the frozen model's "
                                       "features after every block (a few seconds)")
                                  : tr("Needs a pretrained model: an untrained one has no source domain"));
  apply_->setText(undoConfig_.isEmpty() ? tr("Apply recommendation") : tr("Undo apply"));
  apply_->setEnabled(!undoConfig_.isEmpty() || !isStale());
  // Greyed, not hidden: the old numbers still say something, just not about this target.
  table_->setEnabled(!isStale());
  recommendation_->setEnabled(!isStale());
  apply_->setToolTip(isStale() ? tr("The model or target changed since the measurement: measure again")
                               : tr("Sets the recommended similarity and strategy"));
}

// What the meter depends on: the model and the target task (not the strategy
// or the training options, which the recommendation itself changes).
QString SimilarityPanel::measuredPart() const {
  const QJsonObject config = QJsonDocument::fromJson(session_->configJson().toUtf8()).object();
  QJsonObject part;
  part.insert(QStringLiteral("model"), config.value(QStringLiteral("model")));
  part.insert(QStringLiteral("target"), config.value(QStringLiteral("target")));
  return QString::fromUtf8(QJsonDocument(part).toJson(QJsonDocument::Compact));
}

bool SimilarityPanel::isStale() const { return !measured_.isEmpty() && measured_ != measuredPart(); }

void SimilarityPanel::showResult(const SimilarityResult& r) {
  result_ = r;
  measured_ = measuring_;
  setBusy(false);
  table_->setRowCount(static_cast<int>(r.depths.size()));
  for (int row = 0; row < r.depths.size(); ++row) {
    const auto& d = r.depths[row];
    table_->setItem(row, 0, new QTableWidgetItem(d.block));
    table_->setItem(row, 1, numberItem(d.mmd2, 4));
    table_->setItem(row, 2, numberItem(d.proxyADistance, 2));
  }
  // Exactly as tall as its rows: the setup column has no height to spare.
  table_->setFixedHeight(table_->horizontalHeader()->height() + 2 * table_->frameWidth() +
                         table_->verticalHeader()->length());
  table_->show();
  recommendation_->setText(tr("<b>Recommended:</b> %1 similarity → %2.<br>%3")
                               .arg(r.similarity, ExperimentSession::strategyTitle(r.strategy).toLower(),
                                    r.reason.toHtmlEscaped()));
  recommendation_->show();
  undoConfig_.clear();
  apply_->show();
  updateButtons();
  Q_EMIT measured();
}

void SimilarityPanel::showFailure(const QString& message) {
  setBusy(false);
  recommendation_->setText(tr("Could not measure: %1").arg(message.toHtmlEscaped()));
  recommendation_->show();
  Q_EMIT failed(message);
}

// The last result, if any, stays as it was.
void SimilarityPanel::showCancelled() {
  setBusy(false);
  Q_EMIT cancelled();
}

QString SimilarityPanel::recommendationText() const { return recommendation_->text(); }

void SimilarityPanel::applyRecommendation() {
  if (result_.depths.isEmpty() || isStale()) return;
  const QString before = session_->configJson();
  applying_ = true;
  QString error;
  const bool applied = session_->setSimilarity(result_.similarity, &error) &&
                       session_->setStrategy(result_.strategy, result_.blocks, result_.lowerLrMultiplier, &error);
  applying_ = false;
  if (!applied) showSessionError(this, QString(), error);
  undoConfig_ = before;
  updateButtons();
}

void SimilarityPanel::undoRecommendation() {
  if (undoConfig_.isEmpty()) return;
  const QString config = undoConfig_;
  applying_ = true;
  QString error;
  const bool undone = session_->setConfigJson(config, &error);
  applying_ = false;
  if (!undone) showSessionError(this, QString(), error);
  undoConfig_.clear();
  updateButtons();
}

// Any edit other than our own apply makes the undo point stale.
void SimilarityPanel::onConfigChanged() {
  if (!applying_ && !undoConfig_.isEmpty()) undoConfig_.clear();
  updateButtons();
}

}  // namespace tl
