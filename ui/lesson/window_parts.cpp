#include "lesson/window_parts.h"

namespace tl {

void WindowParts::add(const QString& name, QWidget* widget, std::function<void()> open) {
  parts_.push_back(WindowPart{name, widget, std::move(open), nullptr});
}

void WindowParts::addTab(const QString& name, QTabWidget* tabs, QWidget* page) {
  QPointer<QTabWidget> guarded(tabs);
  QPointer<QWidget> guardedPage(page);
  const auto open = [guarded, guardedPage] {
    if (guarded && guardedPage) guarded->setCurrentWidget(guardedPage);
  };
  parts_.push_back(WindowPart{name, page, open, tabs});
}

const WindowPart* WindowParts::find(const QString& name) const {
  for (const WindowPart& part : parts_) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

std::vector<std::string> WindowParts::names() const {
  std::vector<std::string> out;
  for (const WindowPart& part : parts_) out.push_back(part.name.toStdString());
  return out;
}

}  // namespace tl
