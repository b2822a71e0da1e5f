#pragma once

#include "lesson/window_parts.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <vector>

namespace tl {

/// What one lesson step does to the window: parts locked (disabled) and
/// hidden, undone by undo(). The step changes only what it finds enabled or
/// shown, so a part its owner had disabled or hidden stays so; while the step
/// holds a widget, an owner enabling or showing it again (the setup panels
/// when a run ends) does not break the hold. Qt sends no event when an owner
/// disables a widget the step already disabled, so undo() gives back the
/// state the step found: an owner with a state of its own to keep (the
/// window's edit lock during a run) re-applies it on undone().
class StepEffects : public QObject {
  Q_OBJECT

 public:
  explicit StepEffects(QObject* parent = nullptr) : QObject(parent) {}

  void lock(const WindowPart& part);
  void hide(const WindowPart& part);
  /// Gives every part back as the step found it.
  void undo();

 Q_SIGNALS:
  /// undo() gave parts back: owners re-apply a state of their own.
  void undone();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  enum class Hold { Disabled, Hidden };
  struct Held {
    QPointer<QWidget> widget;
    Hold hold;
  };

  void holdPart(const WindowPart& part, Hold hold);
  void holdWidget(QWidget* widget, Hold hold);
  static bool isFree(QWidget* widget, Hold hold);  ///< enabled / shown by its owner
  static void setFree(QWidget* widget, Hold hold, bool free);
  static bool isTabFree(QTabWidget* tabs, int index, Hold hold);
  static void setTabFree(QTabWidget* tabs, int index, Hold hold, bool free);

  std::vector<Held> held_;
  std::vector<std::function<void()>> tabUndo_;
};

}  // namespace tl
