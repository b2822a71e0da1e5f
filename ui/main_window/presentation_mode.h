#pragma once

#include <QObject>

class QAction;
class QMenu;

namespace tl {

/// View → Presentation mode (F11): larger fonts and thicker curves for a
/// projector, by a factor from 1.25 to 2.5 in steps of 0.25 (Ctrl+= and
/// Ctrl+- while the mode is on). Whether it is on and its factor are kept in
/// QSettings as soon as they change, and a new window starts as the last one
/// left them. The scaling itself is PresentationScale's; the mode only
/// decides the factor (a window starting in the normal mode sets it back to 1).
class PresentationMode : public QObject {
  Q_OBJECT

 public:
  static constexpr double kMinFactor = 1.25;
  /// The largest factor at which a 1024×768 projector still shows every
  /// step's main control without scrolling sideways (presentation_fit_test);
  /// above it the Data and Mitigations pages grow wider than the setup column.
  static constexpr double kMaxFactor = 1.5;
  static constexpr double kStep = 0.125;
  static constexpr double kDefaultFactor = 1.5;

  /// Reads the settings and applies them at once.
  explicit PresentationMode(QObject* parent);

  bool isOn() const { return on_; }
  /// The factor used while on (kept while off).
  double factor() const { return factor_; }

  QAction* toggleAction() const { return toggle_; }
  QAction* largerAction() const { return larger_; }
  QAction* smallerAction() const { return smaller_; }
  /// The three actions, for the View menu.
  void addActionsTo(QMenu* menu) const;
  /// Whether changes are saved to QSettings (by default): a mode chosen on
  /// the command line is for that launch only.
  void setPersistent(bool persistent) { persistent_ = persistent; }

 public Q_SLOTS:
  void setOn(bool on);
  /// Clamped to kMinFactor … kMaxFactor.
  void setFactor(double factor);
  void enlarge() { setFactor(factor_ + kStep); }
  void reduce() { setFactor(factor_ - kStep); }

 private:
  void apply();
  void save() const;

  bool persistent_ = true;
  bool on_ = false;
  double factor_ = kDefaultFactor;
  QAction* toggle_;
  QAction* larger_;
  QAction* smaller_;
};

}  // namespace tl
