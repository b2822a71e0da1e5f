#include "schedule/schedule_editor.h"

#include "schedule/schedule_text.h"
#include "session/session_error_box.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <memory>
#include <vector>

namespace tl {
namespace {

void addChoice(QComboBox* combo, const QString& title, const char* name) {
  combo->addItem(title, QString::fromLatin1(name));
}

QString choiceOf(const QComboBox* combo) { return combo->currentData().toString(); }

void choose(QComboBox* combo, const QString& name) {
  const int index = combo->findData(name);
  if (index >= 0) combo->setCurrentIndex(index);
}

QSpinBox* epochSpin(QWidget* parent, const QString& tip) {
  auto* spin = new QSpinBox(parent);
  spin->setRange(1, 1000);
  spin->setSuffix(QObject::tr(" epoch(s)"));
  spin->setToolTip(tip);
  return spin;
}

QDoubleSpinBox* numberSpin(QWidget* parent, double low, double high, double step, int decimals, const QString& tip) {
  auto* spin = new QDoubleSpinBox(parent);
  spin->setRange(low, high);
  spin->setSingleStep(step);
  spin->setDecimals(decimals);
  spin->setToolTip(tip);
  return spin;
}

}  // namespace

ScheduleEditor::ScheduleEditor(ExperimentSession* session, QWidget* parent)
    : QWidget(parent), session_(session), sentence_(new QLabel(this)) {
  auto* box = new QGroupBox(tr("Schedule"), this);
  box->setToolTip(tr("How the plan above unfolds over the run: when frozen blocks thaw and how the learning rate "
                     "changes. The layer tree shows each epoch's plan while a run trains."));
  form_ = new QFormLayout(box);
  buildUnfreezeRows();
  buildLrRows();
  sentence_->setObjectName(QStringLiteral("scheduleSentence"));
  sentence_->setWordWrap(true);
  form_->addRow(sentence_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(box);
  syncFromSession();
  connect(session, &ExperimentSession::scheduleChanged, this, &ScheduleEditor::syncFromSession);
}

void ScheduleEditor::buildUnfreezeRows() {
  unfreeze_ = new QComboBox(this);
  addChoice(unfreeze_, tr("None"), "none");
  addChoice(unfreeze_, tr("Gradual"), "gradual");
  addChoice(unfreeze_, tr("Two-phase"), "two_phase");
  unfreeze_->setToolTip(tr("None: the plan holds from the first epoch. Gradual (ULMFiT): only the head trains at "
                           "first, then one more block thaws from the top at a time. Two-phase (fastai fine_tune): "
                           "the head alone first, then every block of the plan at rates spaced down to the lowest."));
  unfreezeEvery_ = epochSpin(this, tr("Gradual: epochs between one block thawing and the next"));
  headEpochs_ = epochSpin(this, tr("Two-phase: epochs in which only the head (and re-initialised layers) train"));
  lrMult_ = numberSpin(this, 1.0, 1000.0, 1.0, 1,
                       tr("Two-phase: after the head phase the lowest trained block runs at the base rate divided "
                          "by this; the blocks between are spaced geometrically (fastai's slice(lr/mult, lr))"));
  lrMult_->setPrefix(QStringLiteral("1/"));
  layerDecay_ = numberSpin(this, 0.01, 1.0, 0.05, 3,
                           tr("Each block's learning-rate multiplier is the one above it times this (the head's "
                              "is 1); 1 is off. ULMFiT divides by 2.6 per layer: 0.385."));
  form_->addRow(tr("&Unfreeze:"), unfreeze_);
  form_->addRow(tr("Thaw &every:"), unfreezeEvery_);
  form_->addRow(tr("&Head only for:"), headEpochs_);
  form_->addRow(tr("Lowest block &LR:"), lrMult_);
  form_->addRow(tr("Layer LR &decay:"), layerDecay_);
  connect(unfreeze_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ScheduleEditor::apply);
  for (QSpinBox* spin : {unfreezeEvery_, headEpochs_}) {
    connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &ScheduleEditor::apply);
  }
  for (QDoubleSpinBox* spin : {lrMult_, layerDecay_}) {
    connect(spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &ScheduleEditor::apply);
  }
}

void ScheduleEditor::buildLrRows() {
  lrShape_ = new QComboBox(this);
  addChoice(lrShape_, tr("Constant"), "constant");
  addChoice(lrShape_, tr("Step"), "step");
  addChoice(lrShape_, tr("Cosine"), "cosine");
  addChoice(lrShape_, tr("One-cycle"), "one_cycle");
  lrShape_->setToolTip(tr("The base learning rate's shape over the run's steps. One-cycle is ULMFiT's slanted "
                          "triangular rate: a short rise, then a long fall."));
  stepEpochs_ = epochSpin(this, tr("Step: epochs between two drops of the learning rate"));
  gamma_ = numberSpin(this, 0.01, 1.0, 0.05, 2, tr("Step: the learning rate is multiplied by this at each drop"));
  gamma_->setPrefix(QStringLiteral("×"));
  warmup_ = numberSpin(this, 1.0, 99.0, 5.0, 0, tr("One-cycle: share of the run's steps over which the rate rises"));
  warmup_->setSuffix(QStringLiteral(" %"));
  peakRatio_ = numberSpin(this, 1.0, 1000.0, 1.0, 0,
                          tr("One-cycle: the peak rate over the lowest (ULMFiT uses 32); the peak is the base rate"));
  peakRatio_->setPrefix(QStringLiteral("×"));
  form_->addRow(tr("LR &schedule:"), lrShape_);
  form_->addRow(tr("Drop e&very:"), stepEpochs_);
  form_->addRow(tr("Drop &by:"), gamma_);
  form_->addRow(tr("&Warm-up:"), warmup_);
  form_->addRow(tr("&Peak ratio:"), peakRatio_);
  connect(lrShape_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ScheduleEditor::apply);
  connect(stepEpochs_, qOverload<int>(&QSpinBox::valueChanged), this, &ScheduleEditor::apply);
  for (QDoubleSpinBox* spin : {gamma_, warmup_, peakRatio_}) {
    connect(spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &ScheduleEditor::apply);
  }
}

ScheduleSettings ScheduleEditor::fromWidgets() const {
  ScheduleSettings s;
  s.unfreeze = choiceOf(unfreeze_);
  s.unfreezeEvery = unfreezeEvery_->value();
  s.headEpochs = headEpochs_->value();
  s.lrMult = lrMult_->value();
  s.layerDecay = layerDecay_->value();
  s.lrShape = choiceOf(lrShape_);
  s.stepEpochs = stepEpochs_->value();
  s.gamma = gamma_->value();
  s.warmupFraction = warmup_->value() / 100.0;
  s.peakRatio = peakRatio_->value();
  return s;
}

void ScheduleEditor::apply() {
  QString error;
  if (session_->setSchedule(fromWidgets(), &error)) return syncFromSession();
  syncFromSession();  // back to what the session holds
  showSessionError(this, tr("Schedule"), error);
}

void ScheduleEditor::syncFromSession() {
  const ScheduleSettings s = session_->schedule();
  const QList<QWidget*> fields = {unfreeze_, unfreezeEvery_, headEpochs_, lrMult_, layerDecay_,
                                  lrShape_,  stepEpochs_,    gamma_,      warmup_, peakRatio_};
  std::vector<std::unique_ptr<QSignalBlocker>> blockers;
  for (QWidget* field : fields) blockers.push_back(std::make_unique<QSignalBlocker>(field));
  choose(unfreeze_, s.unfreeze);
  unfreezeEvery_->setValue(s.unfreezeEvery);
  headEpochs_->setValue(s.headEpochs);
  lrMult_->setValue(s.lrMult);
  layerDecay_->setValue(s.layerDecay);
  choose(lrShape_, s.lrShape);
  stepEpochs_->setValue(s.stepEpochs);
  gamma_->setValue(s.gamma);
  warmup_->setValue(100.0 * s.warmupFraction);
  peakRatio_->setValue(s.peakRatio);
  showChosenRows();
  sentence_->setText(scheduleSentence(s));
}

void ScheduleEditor::showChosenRows() {
  const QString unfreeze = choiceOf(unfreeze_);
  const QString shape = choiceOf(lrShape_);
  form_->setRowVisible(unfreezeEvery_, unfreeze == QLatin1String("gradual"));
  form_->setRowVisible(headEpochs_, unfreeze == QLatin1String("two_phase"));
  form_->setRowVisible(lrMult_, unfreeze == QLatin1String("two_phase"));
  form_->setRowVisible(stepEpochs_, shape == QLatin1String("step"));
  form_->setRowVisible(gamma_, shape == QLatin1String("step"));
  form_->setRowVisible(warmup_, shape == QLatin1String("one_cycle"));
  form_->setRowVisible(peakRatio_, shape == QLatin1String("one_cycle"));
}

QString ScheduleEditor::sentence() const { return sentence_->text(); }

bool ScheduleEditor::isFieldShown(QWidget* field) const { return !field->isHidden(); }

}  // namespace tl
