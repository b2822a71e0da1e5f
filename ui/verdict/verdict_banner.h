#pragma once

#include "verdict/verdict_summary.h"

#include <QFrame>

#include <optional>

class QLabel;
class QToolButton;

namespace tl {

/// A one-line banner over the curves that answers "did the transfer help?":
/// a symbol, the verdict sentence and both mean test accuracies, on a colour
/// (style::verdictLook): "▲" on blue for positive transfer, "▼" on vermillion
/// for negative, "●" on grey for inconclusive, "◆" on light grey for a single
/// seed, which shows its gap but claims neither. The per-class gaps are
/// in its tooltip and behind the "Per class" button. Hidden until a
/// comparison starts; while it runs it says what it is waiting for.
class VerdictBanner : public QFrame {
  Q_OBJECT

 public:
  explicit VerdictBanner(QWidget* parent = nullptr);

  /// The banner's text as shown (plain text, for tests and screen readers).
  QString text() const;
  /// The verdict shown; none while waiting or hidden.
  std::optional<VerdictLabel> label() const { return label_; }
  /// The per-class gaps as the details show them, one line per class.
  QString perClassText() const { return perClassText_; }

 public Q_SLOTS:
  void showVerdict(const tl::VerdictSummary& summary);
  /// A comparison is running: "Comparing with its twin over 3 seeds…".
  void showWaiting(const QString& message);
  /// Hides the banner (a run without a twin).
  void clear();

 private:
  void showDetails();

  QLabel* text_;
  QToolButton* details_;
  std::optional<VerdictLabel> label_;
  QString perClassText_;
};

}  // namespace tl
