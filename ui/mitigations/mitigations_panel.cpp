#include "mitigations/mitigations_panel.h"

#include "session/experiment_session.h"
#include "session/session_error_box.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

namespace tl {
namespace {

/// Weights are in [0, 100] in the config; four decimals reach α = 0.0001.
QDoubleSpinBox* weightBox(const QString& objectName, const QString& toolTip) {
  auto* box = new QDoubleSpinBox;
  box->setObjectName(objectName);
  box->setRange(0.0, 100.0);
  box->setDecimals(4);
  box->setSingleStep(0.01);
  box->setToolTip(toolTip);
  box->setKeyboardTracking(false);  // one config write per finished edit, not per keystroke
  return box;
}

/// mitigations.source_per_class: Fashion-MNIST has 6000 training images per
/// class, so that is the largest cap that still caps anything.
QSpinBox* sourceImagesBox() {
  auto* box = new QSpinBox;
  box->setObjectName(QStringLiteral("sourcePerClass"));
  box->setRange(0, 6000);
  box->setSingleStep(100);
  box->setSpecialValueText(QObject::tr("all"));  // 0 = every source image
  box->setKeyboardTracking(false);
  box->setToolTip(QObject::tr("Labelled source images per class that DANN and multi-task train on beside the "
                              "target (0 = all); a few hundred keep a classroom run short."));
  return box;
}

QCheckBox* switchBox(const QString& text, const QString& objectName, const QString& toolTip) {
  auto* box = new QCheckBox(text);
  box->setObjectName(objectName);
  box->setToolTip(toolTip);
  return box;
}

QLabel* smallLabel(const QString& text, QWidget* buddy) {
  auto* label = new QLabel(text);
  label->setBuddy(buddy);
  label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return label;
}

}  // namespace

MitigationsPanel::MitigationsPanel(ExperimentSession* session, QWidget* parent)
    : QGroupBox(tr("Mitigations"), parent), session_(session) {
  setObjectName(QStringLiteral("mitigationsPanel"));
  buildForm();
  showSessionValues();
  connectWidgets();
  connect(session_, &ExperimentSession::configChanged, this, &MitigationsPanel::showSessionValues);
}

void MitigationsPanel::buildForm() {
  l2sp_ = switchBox(tr("L2-SP"), QStringLiteral("l2sp"),
                    tr("Pulls transferred weights back towards their pretrained values (α) and decays new layers "
                       "(β), so a small target set cannot drag the model far from what it knew."));
  alpha_ = weightBox(QStringLiteral("l2spAlpha"), tr("α: strength of the pull towards the pretrained weights"));
  beta_ = weightBox(QStringLiteral("l2spBeta"), tr("β: weight decay of the new layers (the head)"));
  dann_ = switchBox(tr("DANN"), QStringLiteral("dann"),
                    tr("Domain-adversarial training: a domain classifier tries to tell source from target features "
                       "and a gradient reversal layer teaches the features to fool it."));
  domainWeight_ = weightBox(QStringLiteral("dannDomainWeight"), tr("Weight of the domain classifier's loss"));
  multitask_ = switchBox(tr("Multi-task"), QStringLiteral("multitask"),
                         tr("Trains the source task jointly with the target task through the same blocks, each "
                            "with its own head, so the shared features keep serving both."));
  sourceWeight_ = weightBox(QStringLiteral("multitaskSourceWeight"), tr("Weight of the source task's loss"));
  sourcePerClass_ = sourceImagesBox();
  progressive_ = switchBox(tr("Progressive networks"), QStringLiteral("progressive"),
                           tr("Keeps the pretrained model as a frozen column and trains a new column beside it that "
                              "reads the old features through lateral connections; nothing learned is overwritten."));

  auto* grid = new QGridLayout(this);
  grid->setColumnStretch(2, 1);
  grid->setColumnStretch(4, 1);
  grid->addWidget(l2sp_, 0, 0);
  grid->addWidget(smallLabel(tr("α"), alpha_), 0, 1);
  grid->addWidget(alpha_, 0, 2);
  grid->addWidget(smallLabel(tr("β"), beta_), 0, 3);
  grid->addWidget(beta_, 0, 4);
  grid->addWidget(dann_, 1, 0);
  grid->addWidget(smallLabel(tr("weight"), domainWeight_), 1, 1);
  grid->addWidget(domainWeight_, 1, 2);
  grid->addWidget(multitask_, 2, 0);
  grid->addWidget(smallLabel(tr("weight"), sourceWeight_), 2, 1);
  grid->addWidget(sourceWeight_, 2, 2);
  auto* perClassLabel = smallLabel(tr("Source images per class"), sourcePerClass_);
  perClassLabel->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  perClassLabel->setToolTip(sourcePerClass_->toolTip());
  grid->addWidget(perClassLabel, 3, 0, 1, 2);
  grid->addWidget(sourcePerClass_, 3, 2);
  grid->addWidget(progressive_, 4, 0, 1, 5);
}

void MitigationsPanel::connectWidgets() {
  for (QCheckBox* box : {l2sp_, dann_, multitask_, progressive_}) {
    connect(box, &QCheckBox::toggled, this, &MitigationsPanel::writeToSession);
  }
  for (QDoubleSpinBox* box : {alpha_, beta_, domainWeight_, sourceWeight_}) {
    connect(box, &QDoubleSpinBox::valueChanged, this, &MitigationsPanel::writeToSession);
  }
  connect(sourcePerClass_, &QSpinBox::valueChanged, this, &MitigationsPanel::writeToSession);
}

void MitigationsPanel::writeToSession() {
  MitigationSettings s;
  s.l2sp = l2sp_->isChecked();
  s.l2spAlpha = alpha_->value();
  s.l2spBeta = beta_->value();
  s.dann = dann_->isChecked();
  s.dannDomainWeight = domainWeight_->value();
  s.multitask = multitask_->isChecked();
  s.multitaskSourceWeight = sourceWeight_->value();
  s.progressive = progressive_->isChecked();
  s.sourcePerClass = sourcePerClass_->value();
  // On failure the session keeps its settings: show those again, then why.
  QString error;
  if (s == session_->mitigations() || !session_->setMitigations(s, &error)) showSessionValues();
  if (!error.isEmpty()) showSessionError(this, QString(), error);
}

void MitigationsPanel::showSessionValues() {
  const MitigationSettings s = session_->mitigations();
  // Blocked so that showing a value does not write it back.
  const QSignalBlocker b1(l2sp_), b2(alpha_), b3(beta_), b4(dann_), b5(domainWeight_), b6(multitask_),
      b7(sourceWeight_), b8(progressive_), b9(sourcePerClass_);
  l2sp_->setChecked(s.l2sp);
  alpha_->setValue(s.l2spAlpha);
  beta_->setValue(s.l2spBeta);
  dann_->setChecked(s.dann);
  domainWeight_->setValue(s.dannDomainWeight);
  multitask_->setChecked(s.multitask);
  sourceWeight_->setValue(s.multitaskSourceWeight);
  progressive_->setChecked(s.progressive);
  sourcePerClass_->setValue(s.sourcePerClass);
  updateEnabled();
}

// Each mitigation leans on the pretrained model; pairs core rejects are greyed
// with the reason in the tooltip instead of failing at Train.
void MitigationsPanel::updateEnabled() {
  const bool pretrained = session_->hasPretrainedModel();
  setToolTip(pretrained ? QString() : tr("Every mitigation needs a pretrained model; pick one above."));
  l2sp_->setEnabled(pretrained && !progressive_->isChecked());
  progressive_->setEnabled(pretrained && !l2sp_->isChecked());
  dann_->setEnabled(pretrained && !multitask_->isChecked());
  multitask_->setEnabled(pretrained && !dann_->isChecked());
  alpha_->setEnabled(l2sp_->isEnabled() && l2sp_->isChecked());
  beta_->setEnabled(alpha_->isEnabled());
  domainWeight_->setEnabled(dann_->isEnabled() && dann_->isChecked());
  sourceWeight_->setEnabled(multitask_->isEnabled() && multitask_->isChecked());
  // Only DANN and multi-task train on source images.
  sourcePerClass_->setEnabled(domainWeight_->isEnabled() || sourceWeight_->isEnabled());
}

}  // namespace tl
