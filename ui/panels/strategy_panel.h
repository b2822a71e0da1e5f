#pragma once

#include <QWidget>

class QButtonGroup;
class QDoubleSpinBox;
class QLabel;
class QRadioButton;
class QSpinBox;

namespace tl {

class ExperimentSession;
class ScheduleEditor;

/// Domain similarity and transfer strategy. Choosing either applies the plan
/// to the session at once, so the tree changes visibly; "Custom" is shown
/// (and not selectable) once the tree was edited after a strategy.
class StrategyPanel : public QWidget {
  Q_OBJECT

 public:
  explicit StrategyPanel(ExperimentSession* session, QWidget* parent = nullptr);

  /// The checked strategy's config name, or "custom".
  QString checkedStrategy() const;
  QString checkedSimilarity() const;
  QString explanationText() const;
  QSpinBox* topBlocksSpin() const { return topBlocks_; }
  QDoubleSpinBox* lowerLrSpin() const { return lowerLr_; }
  /// The run's schedule, below the strategy's options.
  ScheduleEditor* scheduleEditor() const { return schedule_; }
  /// Clicks the radio button of a similarity or strategy name, as a user would.
  void chooseSimilarity(const QString& name);
  void chooseStrategy(const QString& name);

 private:
  QWidget* buildSimilarityBox();
  QWidget* buildStrategyBox();
  QWidget* buildOptionsRow();
  void applyStrategy(const QString& name);
  void syncFromSession();
  void updateExplanation();
  QString blocksSentence(const QString& strategy) const;

  ExperimentSession* session_;
  QButtonGroup* similarities_;
  QButtonGroup* strategies_;
  QRadioButton* custom_;
  QSpinBox* topBlocks_;
  QDoubleSpinBox* lowerLr_;
  QLabel* explanation_;
  ScheduleEditor* schedule_;
};

}  // namespace tl
