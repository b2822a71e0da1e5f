#pragma once

#include <QGroupBox>

class QCheckBox;
class QDoubleSpinBox;
class QSpinBox;

namespace tl {

class ExperimentSession;

/// The "Mitigations" group of the setup column: L2-SP (α, β), DANN (domain
/// weight), multi-task learning (source weight) and progressive networks,
/// with a cap on the source images DANN and multi-task use, each written straight into the session's config ("mitigations"), so a
/// saved preset runs the same in `transferlab-cli run`. Combinations core
/// rejects are prevented here: DANN and multi-task exclude each other, and so
/// do progressive networks and L2-SP.
class MitigationsPanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit MitigationsPanel(ExperimentSession* session, QWidget* parent = nullptr);

  QCheckBox* l2spBox() const { return l2sp_; }
  QDoubleSpinBox* alphaBox() const { return alpha_; }
  QDoubleSpinBox* betaBox() const { return beta_; }
  QCheckBox* dannBox() const { return dann_; }
  QDoubleSpinBox* domainWeightBox() const { return domainWeight_; }
  QCheckBox* multitaskBox() const { return multitask_; }
  QDoubleSpinBox* sourceWeightBox() const { return sourceWeight_; }
  QSpinBox* sourcePerClassBox() const { return sourcePerClass_; }
  QCheckBox* progressiveBox() const { return progressive_; }

 private:
  void buildForm();
  void connectWidgets();
  void writeToSession();
  void showSessionValues();
  void updateEnabled();

  ExperimentSession* session_;
  QCheckBox* l2sp_ = nullptr;
  QDoubleSpinBox* alpha_ = nullptr;
  QDoubleSpinBox* beta_ = nullptr;
  QCheckBox* dann_ = nullptr;
  QDoubleSpinBox* domainWeight_ = nullptr;
  QCheckBox* multitask_ = nullptr;
  QDoubleSpinBox* sourceWeight_ = nullptr;
  QSpinBox* sourcePerClass_ = nullptr;
  QCheckBox* progressive_ = nullptr;
};

}  // namespace tl
