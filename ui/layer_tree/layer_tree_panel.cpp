#include "layer_tree/layer_tree_panel.h"

#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_view.h"
#include "session/experiment_session.h"
#include "session/number_format.h"

#include <QLabel>
#include <QVBoxLayout>

namespace tl {

LayerTreePanel::LayerTreePanel(ExperimentSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      model_(new LayerTreeModel(session, this)),
      view_(new LayerTreeView(this)),
      count_(new QLabel(this)) {
  view_->setModel(model_);
  count_->setObjectName(QStringLiteral("trainableCount"));
  count_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  count_->setWordWrap(true);  // two lines rather than a wider work area in presentation mode
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_, 1);
  layout->addWidget(count_);
  connect(session, &ExperimentSession::planChanged, this, &LayerTreePanel::updateCount);
  connect(session, &ExperimentSession::modelChanged, this, &LayerTreePanel::updateCount);
  connect(model_, &LayerTreeModel::displayedPlanChanged, this, &LayerTreePanel::updateCount);
  updateCount();
}

QString LayerTreePanel::countText() const { return count_->text(); }

void LayerTreePanel::updateCount() {
  const qint64 trainable = model_->displayedTrainableParameters();
  const qint64 total = session_->totalParameters();
  const double percent = total > 0 ? 100.0 * static_cast<double>(trainable) / static_cast<double>(total) : 0.0;
  QString text = tr("Trainable: <b>%1</b> of %2 parameters (%3%)")
                     .arg(formatCount(trainable), formatCount(total), QString::number(percent, 'f', 1));
  if (model_->displayedEpoch() > 0) text += tr(" in epoch %1 of the schedule").arg(model_->displayedEpoch());
  count_->setText(text);
}

}  // namespace tl
