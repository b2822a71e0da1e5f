#pragma once

#include <QPointer>
#include <QWidget>

namespace tl {

/// A thick orange frame drawn around a target widget, over the window: a
/// child of the target's window, transparent to the mouse, following the
/// target as it (or anything above it) moves, resizes, shows or hides. It
/// shows while the target is visible; setTarget(nullptr) removes it.
class HighlightFrame : public QWidget {
  Q_OBJECT

 public:
  explicit HighlightFrame(QWidget* parent = nullptr);

  void setTarget(QWidget* target);
  QWidget* target() const { return target_; }
  /// The frame's width in pixels: thick enough to see on a projector.
  static constexpr int kWidth = 4;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;

 private:
  void watch(bool on);
  void follow();

  QPointer<QWidget> target_;
  QList<QPointer<QWidget>> watched_;  ///< the target and its ancestors up to the window
};

}  // namespace tl
