#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

class QTabBar;
class QWidget;

namespace tl {

/// Keeps the mouse wheel scrolling a column of controls: over `guarded`, a
/// wheel turned above a spin box, combo box or slider that does not have the
/// keyboard focus scrolls the nearest scroll area instead of changing the
/// control's value; a focused control takes the wheel as usual. Those
/// controls get Qt::StrongFocus (focus by click or Tab, never by wheel), so
/// the pointer crossing one on its way down the column cannot focus it.
/// The wheel over a tab bar never switches its tab, focused or not: it
/// scrolls the open page when that page scrolls.
///
/// One guard over the whole setup: it filters the application's events, so
/// panels that create controls later are covered too. Owned by `guarded`.
class WheelGuard : public QObject {
  Q_OBJECT

 public:
  explicit WheelGuard(QWidget* guarded);

  /// Whether `widget` is a control whose value the wheel changes.
  static bool isWheelControl(const QWidget* widget);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  /// The wheel control that `widget` is or is part of (a spin box's line
  /// edit), when it lies inside the guarded widget; else null.
  QWidget* guardedControl(QWidget* widget) const;
  /// The tab bar that `widget` is or is part of, inside the guarded widget.
  QTabBar* guardedTabBar(QWidget* widget) const;
  /// `widget` or its nearest ancestor that `matches`, when it lies inside the
  /// guarded widget and in its window; else null.
  QWidget* firstGuarded(QWidget* widget, const std::function<bool(const QWidget*)>& matches) const;
  void takeFocusByClickOnly(QWidget* control) const;

  QPointer<QWidget> guarded_;
};

}  // namespace tl
