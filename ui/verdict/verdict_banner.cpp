#include "verdict/verdict_banner.h"

#include "style/palette.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QRegularExpression>
#include <QToolButton>

namespace tl {
namespace {

QString percent(double fraction) { return QString::number(100.0 * fraction, 'f', 1) + QStringLiteral(" %"); }

QString perClassLines(const VerdictSummary& s) {
  QStringList lines;
  for (int i = 0; i < s.perClassGap.size(); ++i) {
    const QString name = i < s.classNames.size() ? s.classNames[i] : QStringLiteral("class %1").arg(i);
    lines << QStringLiteral("%1: %2%3 points")
                 .arg(name)
                 .arg(s.perClassGap[i] >= 0 ? QStringLiteral("+") : QString())
                 .arg(s.perClassGap[i], 0, 'f', 1);
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace

VerdictBanner::VerdictBanner(QWidget* parent) : QFrame(parent), text_(new QLabel), details_(new QToolButton) {
  setObjectName(QStringLiteral("verdictBanner"));
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  text_->setWordWrap(true);
  text_->setTextFormat(Qt::RichText);
  details_->setText(tr("Per class…"));
  details_->setToolTip(tr("Transfer minus twin test accuracy for each class"));
  details_->setAutoRaise(true);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 3, 4, 3);
  layout->addWidget(text_, 1);
  layout->addWidget(details_);
  connect(details_, &QToolButton::clicked, this, &VerdictBanner::showDetails);
  hide();
}

QString VerdictBanner::text() const {
  static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
  return QString(text_->text()).remove(tags);
}

void VerdictBanner::showVerdict(const VerdictSummary& s) {
  label_ = s.label;
  perClassText_ = perClassLines(s);
  QPalette p = palette();
  const style::VerdictLook look = style::verdictLook(s.label);
  p.setColor(QPalette::Window, look.background);
  p.setColor(QPalette::WindowText, Qt::black);
  setPalette(p);
  const QString twin = s.twinName.isEmpty() ? tr("twin") : s.twinName;
  // The symbol and the sentence's first words say the label; the colour only repeats it.
  text_->setText(tr("<b><span style=\"color:%1\">%2</span> Verdict: %3</b> — transfer %4 vs %5 %6 (mean test accuracy)")
                     .arg(look.symbolColor.name(), look.symbol, s.sentence.toHtmlEscaped(), percent(s.transferMean),
                          twin.toHtmlEscaped(), percent(s.baselineMean)));
  setToolTip(perClassText_.isEmpty() ? QString() : tr("Gap per class, in points:\n%1").arg(perClassText_));
  details_->setVisible(!perClassText_.isEmpty());
  show();
}

void VerdictBanner::showWaiting(const QString& message) {
  label_.reset();
  perClassText_.clear();
  QPalette p = palette();
  p.setColor(QPalette::Window, QColor(240, 240, 240));
  p.setColor(QPalette::WindowText, QColor(70, 70, 70));
  setPalette(p);
  text_->setText(message.toHtmlEscaped());
  setToolTip(QString());
  details_->hide();
  show();
}

void VerdictBanner::clear() {
  label_.reset();
  perClassText_.clear();
  text_->clear();
  hide();
}

void VerdictBanner::showDetails() {
  auto* box = new QMessageBox(QMessageBox::Information, tr("Verdict per class"),
                              tr("Transfer minus twin test accuracy, in points:\n\n%1").arg(perClassText_),
                              QMessageBox::Close, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace tl
