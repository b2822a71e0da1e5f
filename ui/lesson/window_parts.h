#pragma once

#include <QPointer>
#include <QString>
#include <QTabWidget>
#include <QWidget>

#include <functional>
#include <string>
#include <vector>

namespace tl {

/// A part of the window a lesson step may name: the widget its highlight
/// frames, how to bring it into view, and, for a whole tab, the tab bar its
/// lock and hide act on (a page cannot hide its own tab).
struct WindowPart {
  QString name;
  QPointer<QWidget> widget;
  std::function<void()> open;  ///< brings it into view (its setup step, its plot tab); may be empty
  QPointer<QTabWidget> tabs;   ///< set when the part is a tab whose page is `widget`
};

/// The window's parts by name, filled by the window in one place. Names are
/// what lesson files use ("layer_tree", "twin", …; see the README's
/// "Writing a lesson").
class WindowParts {
 public:
  /// A widget; `open` shows it (e.g. switches to its setup step).
  void add(const QString& name, QWidget* widget, std::function<void()> open = {});
  /// A tab of `tabs`: highlighting it makes it the current tab; lock and hide act on the tab itself.
  void addTab(const QString& name, QTabWidget* tabs, QWidget* page);

  const WindowPart* find(const QString& name) const;
  /// Every name, in the order added.
  std::vector<std::string> names() const;

 private:
  std::vector<WindowPart> parts_;
};

}  // namespace tl
