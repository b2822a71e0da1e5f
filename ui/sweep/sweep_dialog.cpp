#include "sweep/sweep_dialog.h"

#include "experiment/baseline.h"
#include "experiment/experiment_config.h"
#include "session/session_config.h"
#include "sweep/sweep_format.h"
#include "sweep/sweep_spec.h"
#include "sweep/sweep_table.h"
#include "util/bounded_json.h"
#include "util/run_directory.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace tl {
namespace {

const char* const kDepth = "frozen_depth";
const char* const kLearningRate = "learning_rate";
const char* const kLabels = "labels_per_class";

/// "0.001, 0.01" → [0.001, 0.01]; throws ConfigError naming `field` for an entry that is not a number.
nlohmann::json numberList(const QString& text, const char* field, bool integers) {
  nlohmann::json values = nlohmann::json::array();
  for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString entry = part.trimmed();
    if (entry.isEmpty()) continue;
    bool ok = false;
    if (integers) {
      const qlonglong value = entry.toLongLong(&ok);
      if (ok) values.push_back(value);
    } else {
      const double value = entry.toDouble(&ok);
      if (ok) values.push_back(value);
    }
    if (!ok) {
      throw ConfigError(field, std::string(integers ? "expected whole numbers" : "expected numbers") +
                                   " separated by commas, got \"" + entry.toStdString() + "\"");
    }
  }
  return values;
}

QString listText(const nlohmann::json& values) {
  QStringList parts;
  for (const nlohmann::json& value : values) parts << sweepValueText(value);
  return parts.join(QStringLiteral(", "));
}

/// Twins are shared by the trials with the same twin config but the name (run_sweep's rule).
int64_t distinctTwins(const std::vector<SweepTrial>& trials) {
  std::set<std::string> keys;
  for (const SweepTrial& trial : trials) {
    nlohmann::json twin = config_to_json(twin_config(trial.config));
    twin.erase("name");
    keys.insert(twin.dump());
  }
  return static_cast<int64_t>(keys.size());
}

/// "1 trial", "4 trials".
QString counted(qint64 n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

}  // namespace

SweepDialog::SweepDialog(const ExperimentSession& session, const QString& runsDirectory, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Sweep"));
  const ExperimentConfig config = sessionConfig(session);
  baseConfig_ = QByteArray::fromStdString(config_to_json(config).dump());
  buildForm(session, runsDirectory);
  prefill();
  update();
}

SweepDialog::~SweepDialog() = default;

void SweepDialog::buildForm(const ExperimentSession& session, const QString& runsDirectory) {
  auto* intro = new QLabel(tr("Runs %1 once per combination of the values below, each over several seeds, and "
                              "compares every trial with a scratch twin trained once per seed and data.")
                               .arg(session.experimentName().toHtmlEscaped()));
  intro->setWordWrap(true);

  auto* depths = new QHBoxLayout;
  const QStringList blocks = session.blockNames();
  for (int depth = 0; depth <= blocks.size(); ++depth) {
    auto* box = new QCheckBox(QString::number(depth));
    const QStringList frozen = blocks.mid(0, depth), trained = blocks.mid(depth);
    box->setToolTip(depth == 0 ? tr("Nothing frozen: every block fine-tunes (%1)").arg(blocks.join(QStringLiteral(", ")))
                    : depth == blocks.size()
                        ? tr("Every block frozen (%1): only the head trains").arg(frozen.join(QStringLiteral(", ")))
                        : tr("Frozen: %1 · trains: %2").arg(frozen.join(QStringLiteral(", ")),
                                                            trained.join(QStringLiteral(", "))));
    connect(box, &QCheckBox::toggled, this, &SweepDialog::update);
    depths->addWidget(box);
    depthBoxes_ << box;
  }
  depths->addStretch(1);

  learningRates_ = new QLineEdit;
  learningRates_->setPlaceholderText(tr("e.g. 0.001, 0.01 (empty: %1 for every trial)").arg(session.learningRate()));
  labels_ = new QLineEdit;
  labels_->setPlaceholderText(tr("e.g. 5, 20, 100 (empty: %1 for every trial)")
                                  .arg(session.shotsPerClass() == 0 ? tr("all") : QString::number(session.shotsPerClass())));
  order_ = new QComboBox;
  order_->addItem(tr("Grid: every combination, in shuffled order"), QStringLiteral("grid"));
  order_->addItem(tr("Random: a budget of combinations"), QStringLiteral("random"));
  budget_ = new QSpinBox;
  budget_->setRange(1, 10000);
  budget_->setValue(4);
  budget_->setPrefix(tr("budget "));
  auto* orderRow = new QHBoxLayout;
  orderRow->addWidget(order_, 1);
  orderRow->addWidget(budget_);
  seeds_ = new QSpinBox;
  seeds_->setRange(1, 20);
  seeds_->setValue(3);
  seeds_->setToolTip(tr("Each trial runs with training.seed, +1, …; accuracy is their mean ± std"));

  folder_ = new QLineEdit(QString::fromStdString(
      new_run_directory(runsDirectory.toStdString(), "sweep-" + session.experimentName().toStdString())));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, &SweepDialog::browse);
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);

  extraLabel_ = new QLabel;
  extraLabel_->setWordWrap(true);
  extraLabel_->hide();
  count_ = new QLabel;
  count_->setObjectName(QStringLiteral("sweepCount"));
  error_ = new QLabel;
  error_->setObjectName(QStringLiteral("sweepError"));
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #b03a00;"));  // Okabe–Ito vermillion, darkened for text
  resumeNote_ = new QLabel;
  resumeNote_->setWordWrap(true);

  auto* form = new QFormLayout;
  form->addRow(tr("Frozen depth"), depths);
  form->addRow(tr("Learning rates"), learningRates_);
  form->addRow(tr("Labels per class"), labels_);
  form->addRow(tr("Order"), orderRow);
  form->addRow(tr("Seeds per trial"), seeds_);
  form->addRow(tr("Folder"), folderRow);

  buttons_ = new QDialogButtonBox(QDialogButtonBox::Cancel);
  run_ = buttons_->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addWidget(extraLabel_);
  layout->addWidget(count_);
  layout->addWidget(error_);
  layout->addWidget(resumeNote_);
  layout->addWidget(buttons_);

  for (QLineEdit* edit : {learningRates_, labels_, folder_}) connect(edit, &QLineEdit::textChanged, this, &SweepDialog::update);
  connect(order_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SweepDialog::update);
  for (QSpinBox* box : {budget_, seeds_}) connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &SweepDialog::update);
}

/// The config's own sweep section, when it has one that parses.
void SweepDialog::prefill() {
  const nlohmann::json config = nlohmann::json::parse(baseConfig_.toStdString());
  nlohmann::json extra = nlohmann::json::array();
  const QSignalBlocker blockOrder(order_);
  if (config.contains("sweep")) {
    try {
      const SweepSpec spec = sweep_spec_from_json(config["sweep"]);
      for (const SweepAxis& axis : spec.axes) {
        if (axis.field == kDepth) {
          for (const nlohmann::json& value : axis.values) {
            const int depth = value.is_number_integer() ? value.get<int>() : -1;
            if (depth >= 0 && depth < depthBoxes_.size()) depthBoxes_[depth]->setChecked(true);
          }
        } else if (axis.field == kLearningRate) {
          learningRates_->setText(listText(axis.values));
        } else if (axis.field == kLabels) {
          labels_->setText(listText(axis.values));
        } else {
          extra.push_back({{"field", axis.field}, {"values", axis.values}});
        }
      }
      order_->setCurrentIndex(spec.order == SweepOrder::Random ? 1 : 0);
      if (spec.budget > 0) budget_->setValue(static_cast<int>(spec.budget));
      seeds_->setValue(static_cast<int>(spec.seeds));
    } catch (const std::exception& e) {
      error_->setText(tr("The config's sweep section was not used: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  extraAxes_ = QByteArray::fromStdString(extra.dump());
  QStringList kept;
  for (const nlohmann::json& axis : extra) {
    kept << tr("%1 (%2)").arg(sweepAxisTitle(axis["field"].get<std::string>()), listText(axis["values"]));
  }
  extraLabel_->setText(tr("Also swept, as the config's sweep section says: %1").arg(kept.join(QStringLiteral("; "))));
  extraLabel_->setVisible(!kept.isEmpty());
  // Nothing chosen yet: the depth curve is what a sweep is for.
  const bool anyAxis = !extra.empty() || !learningRates_->text().isEmpty() || !labels_->text().isEmpty() ||
                       std::any_of(depthBoxes_.begin(), depthBoxes_.end(), [](QCheckBox* b) { return b->isChecked(); });
  if (!anyAxis) {
    for (QCheckBox* box : depthBoxes_) box->setChecked(true);
  }
}

QByteArray SweepDialog::sweepJson() const {
  nlohmann::json axes = nlohmann::json::array();
  nlohmann::json depths = nlohmann::json::array();
  for (int depth = 0; depth < depthBoxes_.size(); ++depth) {
    if (depthBoxes_[depth]->isChecked()) depths.push_back(depth);
  }
  if (!depths.empty()) axes.push_back({{"field", kDepth}, {"values", depths}});
  const nlohmann::json rates = numberList(learningRates_->text(), kLearningRate, false);
  if (!rates.empty()) axes.push_back({{"field", kLearningRate}, {"values", rates}});
  const nlohmann::json labels = numberList(labels_->text(), kLabels, true);
  if (!labels.empty()) axes.push_back({{"field", kLabels}, {"values", labels}});
  for (const nlohmann::json& axis : nlohmann::json::parse(extraAxes_.toStdString())) axes.push_back(axis);
  nlohmann::json sweep = {{"axes", axes}, {"order", order_->currentData().toString().toStdString()},
                          {"seeds", seeds_->value()}};
  if (order_->currentIndex() == 1) sweep["budget"] = budget_->value();
  return QByteArray::fromStdString(sweep.dump());
}

void SweepDialog::update() {
  budget_->setEnabled(order_->currentIndex() == 1);
  valid_ = false;
  if (offerResume()) return;
  QString problem;
  try {
    nlohmann::json config = nlohmann::json::parse(baseConfig_.toStdString());
    config["sweep"] = nlohmann::json::parse(sweepJson().toStdString());
    const ExperimentConfig base = config_from_json(config);
    const SweepSpec spec = sweep_spec_of(base);
    const std::vector<SweepTrial> trials = sweep_trials(base, spec);
    // Every trial is judged against a twin: a model without one is an error here, as in run_sweep.
    const int64_t twins = distinctTwins(trials) * spec.seeds;
    const qint64 runs = static_cast<qint64>(trials.size()) * spec.seeds;
    count_->setText(tr("%1 × %2 = %3 + %4")
                        .arg(counted(static_cast<qint64>(trials.size()), tr("trial"), tr("trials")),
                             counted(spec.seeds, tr("seed"), tr("seeds")), counted(runs, tr("run"), tr("runs")),
                             counted(twins, tr("twin"), tr("twins"))));
    if (folder_->text().trimmed().isEmpty()) problem = tr("Folder: choose where the sweep is written");
  } catch (const std::exception& e) {
    problem = QString::fromUtf8(e.what());
    count_->clear();
  }
  error_->setText(problem);
  valid_ = problem.isEmpty();
  run_->setText(tr("Run"));
  run_->setEnabled(valid_);
}

/// A folder with a sweep in it: an unfinished one is resumed with its own
/// settings; a finished one is not overwritten.
bool SweepDialog::offerResume() {
  resumes_ = false;
  resumeConfig_.clear();
  resumeNote_->clear();
  const QString dir = folder_->text().trimmed();
  if (dir.isEmpty() || !QFileInfo::exists(QDir(dir).filePath(QStringLiteral("sweep.json")))) return false;
  QString problem;
  try {
    const SweepTable table = read_sweep(dir.toStdString());
    const bool finished = static_cast<int64_t>(table.trials.size()) >= table.total_trials;
    if (finished) {
      problem = tr("Folder: it holds a finished sweep (%1 trials); choose another folder").arg(table.total_trials);
    } else {
      nlohmann::json config = table.base_config;
      config["sweep"] = table.spec;
      config_from_json(config);  // the folder's sweep must still parse
      resumeConfig_ = QByteArray::fromStdString(config.dump());
      resumes_ = true;
      resumeNote_->setText(tr("This folder holds an unfinished sweep of %1 (%2 of %3 trials done). Resume "
                              "continues it with its own settings; the values above are not used.")
                               .arg(QString::fromStdString(table.name))
                               .arg(table.trials.size())
                               .arg(table.total_trials));
      count_->clear();
    }
  } catch (const std::exception& e) {
    problem = tr("Folder: %1").arg(QString::fromUtf8(e.what()));
  }
  error_->setText(problem);
  valid_ = resumes_;
  run_->setText(resumes_ ? tr("Resume") : tr("Run"));
  run_->setEnabled(valid_);
  return true;
}

QByteArray SweepDialog::configJson() const {
  if (resumes_) return resumeConfig_;
  nlohmann::json config = nlohmann::json::parse(baseConfig_.toStdString());
  config["sweep"] = nlohmann::json::parse(sweepJson().toStdString());
  return QByteArray::fromStdString(config.dump());
}

QString SweepDialog::directory() const { return folder_->text().trimmed(); }
QString SweepDialog::countText() const { return count_->text(); }
QString SweepDialog::errorText() const { return error_->text(); }

void SweepDialog::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Sweep folder"), QFileInfo(directory()).path());
  if (!dir.isEmpty()) folder_->setText(dir);
}

}  // namespace tl
