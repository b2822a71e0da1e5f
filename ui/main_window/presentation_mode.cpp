#include "main_window/presentation_mode.h"

#include "style/presentation_scale.h"

#include <QAction>
#include <QKeySequence>
#include <QMenu>
#include <QSettings>

#include <algorithm>

namespace tl {
namespace {

const QString kOnKey = QStringLiteral("view/presentationMode");
const QString kFactorKey = QStringLiteral("view/presentationFactor");

}  // namespace

PresentationMode::PresentationMode(QObject* parent)
    : QObject(parent),
      toggle_(new QAction(tr("&Presentation mode"), this)),
      larger_(new QAction(tr("&Larger"), this)),
      smaller_(new QAction(tr("S&maller"), this)) {
  toggle_->setObjectName(QStringLiteral("presentationModeAction"));
  toggle_->setCheckable(true);
  toggle_->setShortcut(QKeySequence(Qt::Key_F11));
  toggle_->setStatusTip(tr("Larger fonts and thicker curves for a projector"));
  larger_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn});
  larger_->setStatusTip(tr("Presentation mode: enlarge by another %1×").arg(kStep));
  smaller_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus)});
  smaller_->setStatusTip(tr("Presentation mode: shrink by %1×").arg(kStep));
  connect(toggle_, &QAction::toggled, this, &PresentationMode::setOn);
  connect(larger_, &QAction::triggered, this, &PresentationMode::enlarge);
  connect(smaller_, &QAction::triggered, this, &PresentationMode::reduce);

  const QSettings settings;
  factor_ = std::clamp(settings.value(kFactorKey, kDefaultFactor).toDouble(), kMinFactor, kMaxFactor);
  on_ = settings.value(kOnKey, false).toBool();
  apply();
}

void PresentationMode::addActionsTo(QMenu* menu) const { menu->addActions({toggle_, larger_, smaller_}); }

void PresentationMode::setOn(bool on) {
  if (on == on_) return;
  on_ = on;
  apply();
  save();
}

void PresentationMode::setFactor(double factor) {
  const double clamped = std::clamp(factor, kMinFactor, kMaxFactor);
  if (clamped == factor_) return;
  factor_ = clamped;
  apply();
  save();
}

void PresentationMode::apply() {
  toggle_->setChecked(on_);  // no-op when the action itself changed it
  larger_->setEnabled(on_ && factor_ < kMaxFactor);
  smaller_->setEnabled(on_ && factor_ > kMinFactor);
  toggle_->setText(on_ ? tr("&Presentation mode (%1×)").arg(factor_) : tr("&Presentation mode"));
  PresentationScale::instance()->setFactor(on_ ? factor_ : 1.0);
}

void PresentationMode::save() const {
  if (!persistent_) return;
  QSettings settings;
  settings.setValue(kOnKey, on_);
  settings.setValue(kFactorKey, factor_);
}

}  // namespace tl
