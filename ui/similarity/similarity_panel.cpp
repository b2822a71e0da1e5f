#include "similarity/similarity_panel.h"

#include "experiment/similarity_meter.h"
#include "session/experiment_session.h"
#include "session/session_config.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <atomic>
#include <thread>

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

/// One measurement at a time on its own thread; the result comes back to the
/// GUI thread through a queued call.
struct SimilarityPanel::Worker {
  std::thread thread;
  std::atomic<bool> running{false};

  void join() {
    if (thread.joinable()) thread.join();
  }
};

SimilarityPanel::SimilarityPanel(ExperimentSession* session, QWidget* parent)
    : QGroupBox(tr("Domain similarity"), parent), session_(session), worker_(std::make_unique<Worker>()) {
  setObjectName(QStringLiteral("similarityPanel"));
  buildWidgets();
  connect(session_, &ExperimentSession::configChanged, this, &SimilarityPanel::onConfigChanged);
  updateButtons();
}

SimilarityPanel::~SimilarityPanel() { worker_->join(); }

void SimilarityPanel::buildWidgets() {
  measure_ = new QPushButton(tr("Measure similarity"));
  measure_->setToolTip(tr("Compares the model's source images with your target on the frozen model's features "
                          "after every block (a few seconds)"));
  busy_ = new QProgressBar;
  busy_->setRange(0, 0);  // busy indicator: the meter reports no progress
  busy_->setMaximumHeight(measure_->sizeHint().height() / 2);
  busy_->setTextVisible(false);
  busy_->hide();
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
  top->addWidget(busy_, 1);
  top->addStretch();
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

bool SimilarityPanel::isMeasuring() const { return worker_->running; }

bool SimilarityPanel::measure() {
  if (isMeasuring() || !session_->hasPretrainedModel()) return false;
  worker_->join();  // the last one has posted its result already
  worker_->running = true;
  measuring_ = measuredPart();
  setBusy(true);
  SimilarityOptions options;
  const ExperimentConfig config = sessionConfig(*session_);
  options.seed = config.training.seed;
  options.samples_per_domain = samples_;
  worker_->thread = std::thread([this, config, options, running = &worker_->running] {
    SimilarityResult result;
    QString error;
    try {
      torch::set_num_threads(training_thread_count(config.training.threads));
      result = result_of(measure_similarity(config, options));
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    *running = false;
    // The panel outlives the thread (its destructor joins), so posting to it is safe;
    // a call still queued when it is deleted is dropped by Qt.
    QMetaObject::invokeMethod(
        this,
        [this, result, error] {
          if (error.isEmpty()) showResult(result);
          else showFailure(error);
        },
        Qt::QueuedConnection);
  });
  return true;
}

void SimilarityPanel::setBusy(bool busy) {
  busy_->setVisible(busy);
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

QString SimilarityPanel::recommendationText() const { return recommendation_->text(); }

void SimilarityPanel::applyRecommendation() {
  if (result_.depths.isEmpty() || isStale()) return;
  const QString before = session_->configJson();
  applying_ = true;
  session_->setSimilarity(result_.similarity);
  session_->setStrategy(result_.strategy, result_.blocks, result_.lowerLrMultiplier);
  applying_ = false;
  undoConfig_ = before;
  updateButtons();
}

void SimilarityPanel::undoRecommendation() {
  if (undoConfig_.isEmpty()) return;
  const QString config = undoConfig_;
  applying_ = true;
  session_->setConfigJson(config);
  applying_ = false;
  undoConfig_.clear();
  updateButtons();
}

// Any edit other than our own apply makes the undo point stale.
void SimilarityPanel::onConfigChanged() {
  if (!applying_ && !undoConfig_.isEmpty()) undoConfig_.clear();
  updateButtons();
}

}  // namespace tl
