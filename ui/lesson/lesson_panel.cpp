#include "lesson/lesson_panel.h"

#include "session/experiment_session.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

#include <cmath>

namespace tl {
namespace {

/// "Measured: positive: … over 3 seeds (~95 s per seed with its twin)".
QString measuredLine(const LessonInfo& lesson) {
  QString line = QObject::tr("Measured: %1").arg(lesson.measured);
  if (lesson.secondsPerSeed > 0.0) {
    line += QObject::tr(" (~%1 s per seed with its twin)").arg(std::lround(lesson.secondsPerSeed));
  }
  return line;
}

}  // namespace

LessonPanel::LessonPanel(ExperimentSession* session, QWidget* parent)
    : QFrame(parent), session_(session), text_(new QLabel), close_(new QToolButton) {
  setObjectName(QStringLiteral("lessonPanel"));
  setFrameShape(QFrame::StyledPanel);
  // A pale yellow, apart from the verdict's green / red / grey below it.
  setAutoFillBackground(true);
  QPalette p = palette();
  p.setColor(QPalette::Window, QColor(255, 248, 220));
  p.setColor(QPalette::WindowText, Qt::black);
  setPalette(p);
  text_->setWordWrap(true);
  text_->setTextFormat(Qt::RichText);
  text_->setTextInteractionFlags(Qt::TextSelectableByMouse);  // a teacher may copy it into notes
  close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  close_->setAutoRaise(true);
  close_->setToolTip(tr("Hide the lesson (it comes back with the next preset that has one)"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 3, 4, 3);
  layout->addWidget(text_, 1);
  layout->addWidget(close_, 0, Qt::AlignTop);
  connect(close_, &QToolButton::clicked, this, &QWidget::hide);
  connect(session_, &ExperimentSession::configLoaded, this, [this] { showLesson(session_->lesson()); });
  showLesson(session_->lesson());
}

void LessonPanel::showLesson(const LessonInfo& lesson) {
  if (lesson.isEmpty()) {
    text_->clear();
    plainText_.clear();
    hide();
    return;
  }
  // The name leads the lesson on one line: the plot below needs the height.
  QString html = QStringLiteral("<b>%1</b>").arg(lesson.name.toHtmlEscaped());
  plainText_ = lesson.name;
  if (!lesson.text.isEmpty()) {
    html += QStringLiteral(" — ") + lesson.text.toHtmlEscaped();
    plainText_ += QStringLiteral(" — ") + lesson.text;
  }
  if (!lesson.measured.isEmpty()) {
    const QString measured = measuredLine(lesson);
    html += QStringLiteral("<br><i>%1</i>").arg(measured.toHtmlEscaped());
    plainText_ += QLatin1Char('\n') + measured;
  }
  text_->setText(html);
  show();
}

}  // namespace tl
