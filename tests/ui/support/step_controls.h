#pragma once

// What each setup step is there for, as the layout tests check it at every
// window size: the choice a newcomer must reach without scrolling sideways.

#include "main_window/main_window.h"
#include "main_window/setup_steps.h"
#include "main_window/training_controls.h"
#include "panels/data_panel.h"
#include "panels/model_picker.h"
#include "panels/strategy_panel.h"
#include "probe/probe_panel.h"

#include <QComboBox>
#include <QList>
#include <QPushButton>
#include <QRadioButton>
#include <QRect>
#include <QWidget>

namespace tl::test {

/// `widget`'s rectangle in `window`'s coordinates.
inline QRect rectIn(const QWidget* window, const QWidget* widget) {
  return QRect(widget->mapTo(window, QPoint(0, 0)), widget->size());
}

inline QPushButton* buttonNamed(QWidget* parent, const QString& text) {
  for (QPushButton* button : parent->findChildren<QPushButton*>()) {
    if (button->text() == text) return button;
  }
  return nullptr;
}

/// The step's main controls: the model list, the class boxes and labels per
/// class, the strategies, Train, and the run history and probe buttons.
inline QList<QWidget*> stepMainControls(MainWindow& window, SetupStep step) {
  QList<QWidget*> controls;
  switch (step) {
    case SetupStep::Model: controls << window.findChild<ModelPicker*>()->combo(); break;
    case SetupStep::Data: {
      auto* data = window.findChild<DataPanel*>();
      for (int label = 0; label < 10; ++label) controls << data->classCheckBox(label);
      controls << data->shotsSpin();
      break;
    }
    case SetupStep::Strategy:
      for (QRadioButton* radio : window.findChild<StrategyPanel*>()->findChildren<QRadioButton*>()) controls << radio;
      break;
    case SetupStep::Train: controls << buttonNamed(window.trainingControls(), QStringLiteral("Train")); break;
    case SetupStep::Analyse:
      controls << window.findChild<QPushButton*>(QStringLiteral("runHistoryButton"))
               << window.probePanel()->profileButton();
      break;
  }
  return controls;
}

}  // namespace tl::test
