#include "panels/strategy_panel.h"

#include "schedule/schedule_editor.h"
#include "session/experiment_session.h"
#include "session/session_error_box.h"

#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tl {
namespace {

const char kNameProperty[] = "tlName";

QString nameOf(const QAbstractButton* button) {
  return button ? button->property(kNameProperty).toString() : QString();
}

QAbstractButton* buttonNamed(const QButtonGroup* group, const QString& name) {
  for (QAbstractButton* b : group->buttons()) {
    if (nameOf(b) == name) return b;
  }
  return nullptr;
}

}  // namespace

StrategyPanel::StrategyPanel(ExperimentSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      similarities_(new QButtonGroup(this)),
      strategies_(new QButtonGroup(this)),
      custom_(nullptr),
      topBlocks_(new QSpinBox(this)),
      lowerLr_(new QDoubleSpinBox(this)),
      explanation_(new QLabel(this)),
      schedule_(new ScheduleEditor(session, this)) {
  explanation_->setWordWrap(true);
  explanation_->setTextFormat(Qt::RichText);
  explanation_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  explanation_->setObjectName(QStringLiteral("strategyExplanation"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(buildSimilarityBox());
  layout->addWidget(buildStrategyBox());
  layout->addWidget(schedule_);
  layout->addWidget(explanation_, 1);
  syncFromSession();
  connect(session, &ExperimentSession::planChanged, this, &StrategyPanel::syncFromSession);
  connect(session, &ExperimentSession::modelChanged, this, &StrategyPanel::syncFromSession);
}

QWidget* StrategyPanel::buildSimilarityBox() {
  auto* box = new QGroupBox(tr("How similar is the target to the source?"), this);
  auto* row = new QHBoxLayout(box);
  for (const QString& name : session_->similarityNames()) {
    auto* radio = new QRadioButton(name.left(1).toUpper() + name.mid(1), box);
    radio->setProperty(kNameProperty, name);
    radio->setToolTip(ExperimentSession::similarityExplanation(name));
    similarities_->addButton(radio);
    row->addWidget(radio);
  }
  row->addStretch(1);
  connect(similarities_, &QButtonGroup::buttonClicked, this,
          [this](QAbstractButton* b) {
            QString error;
            if (session_->setSimilarity(nameOf(b), &error)) return;
            syncFromSession();
            showSessionError(this, QString(), error);
          });
  return box;
}

QWidget* StrategyPanel::buildStrategyBox() {
  auto* box = new QGroupBox(tr("Strategy"), this);
  auto* column = new QVBoxLayout(box);
  for (const QString& name : session_->strategyNames()) {
    auto* radio = new QRadioButton(ExperimentSession::strategyTitle(name), box);
    radio->setProperty(kNameProperty, name);
    strategies_->addButton(radio);
    column->addWidget(radio);
  }
  custom_ = new QRadioButton(tr("Custom (edited in the layer tree)"), box);
  custom_->setProperty(kNameProperty, QStringLiteral("custom"));
  custom_->setToolTip(tr("Choose a strategy above to start again from its plan"));
  strategies_->addButton(custom_);
  column->addWidget(custom_);
  column->addWidget(buildOptionsRow());
  connect(strategies_, &QButtonGroup::buttonClicked, this, [this](QAbstractButton* b) { applyStrategy(nameOf(b)); });
  return box;
}

QWidget* StrategyPanel::buildOptionsRow() {
  auto* options = new QWidget(this);
  auto* form = new QFormLayout(options);
  form->setContentsMargins(0, 0, 0, 0);
  topBlocks_->setToolTip(tr("Partial fine-tuning: blocks from the top that train. "
                            "Layer replacement: blocks from the top that are re-initialised. "
                            "Selective transfer: blocks from the input that keep their pretrained weights."));
  lowerLr_->setRange(0.0, 10.0);
  lowerLr_->setSingleStep(0.05);
  lowerLr_->setDecimals(2);
  lowerLr_->setSpecialValueText(tr("0 (frozen)"));
  lowerLr_->setToolTip(tr("Learning-rate multiplier of the pretrained blocks that are not fine-tuned at the full "
                          "rate (partial fine-tuning: the lower blocks; selective transfer: the kept blocks); "
                          "0 freezes them"));
  form->addRow(tr("Blocks:"), topBlocks_);
  form->addRow(tr("Lower blocks LR ×:"), lowerLr_);
  // Changing an option re-applies the strategy it belongs to.
  connect(topBlocks_, qOverload<int>(&QSpinBox::valueChanged), this,
          [this] { applyStrategy(session_->strategyName()); });
  connect(lowerLr_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          [this] { applyStrategy(session_->strategyName()); });
  return options;
}

void StrategyPanel::applyStrategy(const QString& name) {
  if (name == QLatin1String("custom")) return syncFromSession();  // a state, not a choice
  QString error;
  if (session_->setStrategy(name, topBlocks_->value(), lowerLr_->value(), &error)) return;
  syncFromSession();
  showSessionError(this, QString(), error);
}

void StrategyPanel::chooseSimilarity(const QString& name) {
  if (QAbstractButton* b = buttonNamed(similarities_, name)) b->click();
}

void StrategyPanel::chooseStrategy(const QString& name) {
  if (QAbstractButton* b = buttonNamed(strategies_, name)) b->click();
}

QString StrategyPanel::checkedStrategy() const { return nameOf(strategies_->checkedButton()); }
QString StrategyPanel::checkedSimilarity() const { return nameOf(similarities_->checkedButton()); }
QString StrategyPanel::explanationText() const { return explanation_->text(); }

void StrategyPanel::syncFromSession() {
  const QSignalBlocker blockTop(topBlocks_);
  const QSignalBlocker blockLr(lowerLr_);
  const QString strategy = session_->strategyName();
  if (QAbstractButton* b = buttonNamed(similarities_, session_->similarity())) b->setChecked(true);
  custom_->setEnabled(session_->isCustom());
  QAbstractButton* checked = session_->isCustom() ? custom_ : buttonNamed(strategies_, strategy);
  if (checked) checked->setChecked(true);
  topBlocks_->setRange(1, std::max(1, session_->blockCount()));
  topBlocks_->setValue(session_->strategyBlocks());
  topBlocks_->setEnabled(ExperimentSession::strategyUsesBlocks(strategy));
  lowerLr_->setValue(session_->lowerLrMultiplier());
  lowerLr_->setEnabled(ExperimentSession::strategyUsesLowerLr(strategy));
  updateExplanation();
}

// Which blocks the block count names, so the number means something.
QString StrategyPanel::blocksSentence(const QString& strategy) const {
  if (!ExperimentSession::strategyUsesBlocks(strategy)) return {};
  const QStringList blocks = session_->blockNames();
  const int n = session_->strategyBlocks();
  if (ExperimentSession::strategyCountsBlocksFromInput(strategy)) {
    return tr("<p>Blocks kept from the input: %1 of %2 (%3).</p>")
        .arg(n)
        .arg(blocks.size())
        .arg(blocks.mid(0, n).join(QStringLiteral(", ")).toHtmlEscaped());
  }
  return tr("<p>Blocks from the top: %1 of %2 (%3).</p>")
      .arg(n)
      .arg(blocks.size())
      .arg(blocks.mid(blocks.size() - n).join(QStringLiteral(", ")).toHtmlEscaped());
}

void StrategyPanel::updateExplanation() {
  const QString similarity = session_->similarity();
  const QString strategy = session_->strategyName();
  QString text = tr("<p><b>%1 similarity.</b> %2</p>")
                     .arg(similarity.left(1).toUpper() + similarity.mid(1),
                          ExperimentSession::similarityExplanation(similarity).toHtmlEscaped());
  text += tr("<p><b>%1.</b> %2</p>")
              .arg(ExperimentSession::strategyTitle(strategy),
                   ExperimentSession::strategyExplanation(strategy).toHtmlEscaped());
  text += blocksSentence(strategy);
  if (session_->isCustom()) {
    text += tr("<p><b>Custom.</b> You changed layers in the tree after applying %1. "
               "Choose a strategy to start again from its plan.</p>")
                .arg(ExperimentSession::strategyTitle(strategy));
  }
  explanation_->setText(text);
}

}  // namespace tl
