#include "lesson/lesson_bar.h"

#include "lesson/highlight_frame.h"
#include "lesson/step_effects.h"
#include "lesson/window_parts.h"
#include "session/experiment_session.h"
#include "verdict/verdict_summary.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStyle>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl {
namespace {

QString qs(const std::string& text) { return QString::fromStdString(text); }
QString escaped(const std::string& text) { return qs(text).toHtmlEscaped(); }

/// "Measured: positive: … over 3 seeds (~14 s per seed with its twin)".
QString measuredLine(const LessonInfo& info) {
  if (info.measured.isEmpty()) return QString();
  QString line = LessonBar::tr("Measured: %1").arg(info.measured);
  if (info.secondsPerSeed > 0.0) {
    line += LessonBar::tr(" (~%1 s per seed with its twin)").arg(std::lround(info.secondsPerSeed));
  }
  return line;
}

bool anyReveal(const Lesson& lesson) {
  return std::any_of(lesson.steps.begin(), lesson.steps.end(), [](const LessonStep& s) { return !s.reveal.empty(); });
}

}  // namespace

LessonBar::LessonBar(const WindowParts* parts, QWidget* parent)
    : QFrame(parent),
      parts_(parts),
      title_(new QLabel),
      body_(new QLabel),
      bodyArea_(new QScrollArea),
      choiceRow_(new QWidget),
      choiceGroup_(new QButtonGroup(this)),
      highlight_(new HighlightFrame(this)),
      effects_(new StepEffects(this)) {
  setObjectName(QStringLiteral("lessonBar"));
  setFrameShape(QFrame::StyledPanel);
  // A pale yellow, apart from the verdict's colours below it.
  setAutoFillBackground(true);
  QPalette p = palette();
  p.setColor(QPalette::Window, QColor(255, 248, 220));
  p.setColor(QPalette::WindowText, Qt::black);
  setPalette(p);

  title_->setTextFormat(Qt::RichText);
  // A long lesson name wraps rather than widen the window (a projector at 1024 px).
  title_->setWordWrap(true);
  body_->setTextFormat(Qt::RichText);
  body_->setWordWrap(true);
  body_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  body_->setTextInteractionFlags(Qt::TextSelectableByMouse);  // a teacher may copy it into notes
  // The curves keep their height: a long step scrolls inside the bar.
  bodyArea_->setWidget(body_);
  bodyArea_->setWidgetResizable(true);
  bodyArea_->setFrameShape(QFrame::NoFrame);
  bodyArea_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  bodyArea_->viewport()->setAutoFillBackground(false);
  body_->setAutoFillBackground(false);
  choiceGroup_->setExclusive(true);
  auto* choiceLayout = new QHBoxLayout(choiceRow_);
  choiceLayout->setContentsMargins(0, 0, 0, 0);

  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  buildButtons();
  for (QPushButton* button : {back_, next_, restart_, leave_}) header->addWidget(button);
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(8, 3, 4, 3);
  column->setSpacing(2);
  column->addLayout(header);
  column->addWidget(bodyArea_);
  column->addWidget(choiceRow_);
  fitBodyHeight();
  hide();
}

void LessonBar::buildButtons() {
  back_ = new QPushButton(style()->standardIcon(QStyle::SP_ArrowBack), tr("Back"));
  next_ = new QPushButton(style()->standardIcon(QStyle::SP_ArrowForward), tr("Next"));
  // Icons only: with Back and Next they keep the bar narrow enough for a
  // 1024-pixel projector in presentation mode; the tooltips name them.
  restart_ = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), QString());
  leave_ = new QPushButton(style()->standardIcon(QStyle::SP_DialogCloseButton), QString());
  restart_->setAccessibleName(tr("Restart"));
  leave_->setAccessibleName(tr("Leave"));
  back_->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
  next_->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
  back_->setToolTip(tr("The previous step (Alt+Left)"));
  next_->setToolTip(tr("The next step (Alt+Right)"));
  restart_->setToolTip(tr("Restart: back to the first step; the answers given are cleared"));
  leave_->setToolTip(tr("Leave: end the lesson; the window as usual, with the lesson's experiment loaded"));
  back_->setObjectName(QStringLiteral("lessonBack"));
  next_->setObjectName(QStringLiteral("lessonNext"));
  connect(back_, &QPushButton::clicked, this, &LessonBar::back);
  connect(next_, &QPushButton::clicked, this, &LessonBar::next);
  connect(restart_, &QPushButton::clicked, this, &LessonBar::restart);
  connect(leave_, &QPushButton::clicked, this, &LessonBar::leave);
}

bool LessonBar::start(const LessonInfo& info, QString* error) {
  try {
    check_lesson_targets(info.lesson, parts_->names());
  } catch (const std::exception& e) {
    if (error) *error = qs(e.what());
    return false;
  }
  leave();
  if (info.lesson.empty()) return true;
  lesson_ = info.lesson;
  name_ = info.name;
  measured_ = measuredLine(info);
  show();
  enterStep(0);
  return true;
}

void LessonBar::leave() {
  const bool wasRunning = isRunning();
  effects_->undo();
  highlight_->setTarget(nullptr);
  lesson_ = Lesson{};
  answers_.clear();
  verdict_.reset();
  step_ = 0;
  hide();
  if (wasRunning) Q_EMIT left();
}

void LessonBar::restart() {
  if (!isRunning()) return;
  answers_.clear();
  verdict_.reset();
  enterStep(0);
}

void LessonBar::next() {
  if (isRunning() && stepIsDone() && step_ + 1 < stepCount()) enterStep(step_ + 1);
}

int LessonBar::advanceTo(int step, const QString& answer) {
  while (isRunning() && step_ < std::min(step, stepCount() - 1)) {
    const LessonStep& current = lesson_.steps[static_cast<size_t>(step_)];
    if (current.question && !this->answer(step_)) {
      const auto& choices = current.question->choices;
      const auto match = std::find_if(choices.begin(), choices.end(),
                                      [&](const LessonChoice& c) { return qs(c.text) == answer; });
      if (match != choices.end()) choose(static_cast<int>(match - choices.begin()));
    }
    if (!stepIsDone()) break;
    enterStep(step_ + 1);
  }
  return step_;
}

void LessonBar::back() {
  if (isRunning() && step_ > 0) enterStep(step_ - 1);
}

void LessonBar::showVerdict(const VerdictSummary& summary) {
  if (!isRunning()) return;
  verdict_ = summary.label;
  refresh();
}

void LessonBar::enterStep(int step) {
  effects_->undo();
  step_ = step;
  const LessonStep& current = lesson_.steps[static_cast<size_t>(step)];
  applyStep(current);
  showChoices(current);
  refresh();
}

void LessonBar::applyStep(const LessonStep& step) {
  for (const auto& name : step.lock) effects_->lock(*parts_->find(qs(name)));
  for (const auto& name : step.hide) effects_->hide(*parts_->find(qs(name)));
  const WindowPart* target = step.target.empty() ? nullptr : parts_->find(qs(step.target));
  if (target && target->open) target->open();
  highlight_->setTarget(target ? target->widget.data() : nullptr);
}

void LessonBar::showChoices(const LessonStep& step) {
  for (QPushButton* button : choices_) choiceGroup_->removeButton(button);
  choices_.clear();
  while (QLayoutItem* item = choiceRow_->layout()->takeAt(0)) {  // the last step's answers and stretch
    delete item->widget();
    delete item;
  }
  choiceRow_->setVisible(step.question.has_value());
  if (!step.question) return;
  const auto chosen = answer(step_);
  for (size_t i = 0; i < step.question->choices.size(); ++i) {
    auto* button = new QPushButton(qs(step.question->choices[i].text).replace(QLatin1Char('&'), QStringLiteral("&&")));
    button->setCheckable(true);
    button->setChecked(chosen == i);
    choiceGroup_->addButton(button, static_cast<int>(i));
    choiceRow_->layout()->addWidget(button);
    connect(button, &QPushButton::clicked, this, [this, i] { choose(static_cast<int>(i)); });
    choices_ << button;
  }
  static_cast<QHBoxLayout*>(choiceRow_->layout())->addStretch();
}

void LessonBar::choose(int index) {
  answers_[step_] = static_cast<size_t>(index);
  refresh();
}

std::optional<size_t> LessonBar::answer(int step) const {
  const auto it = answers_.find(step);
  return it == answers_.end() ? std::nullopt : std::optional<size_t>(it->second);
}

bool LessonBar::stepIsDone() const {
  const LessonStep& step = lesson_.steps[static_cast<size_t>(step_)];
  if (step.question && !answer(step_)) return false;
  return step.reveal.empty() || verdict_.has_value();
}

void LessonBar::refresh() {
  title_->setText(tr("<b>%1</b> — step %2 of %3").arg(name_.toHtmlEscaped()).arg(step_ + 1).arg(stepCount()));
  body_->setText(bodyHtml());
  back_->setEnabled(step_ > 0);
  next_->setEnabled(stepIsDone() && step_ + 1 < stepCount());
  // Answers come before the run: once it has measured, an answer given stands.
  const bool answered = answer(step_).has_value();
  for (QPushButton* button : choices_) button->setEnabled(!(answered && verdict_));
}

QString LessonBar::bodyHtml() const {
  const LessonStep& step = lesson_.steps[static_cast<size_t>(step_)];
  QString html = escaped(step.text);
  if (step.question) html += QStringLiteral("<br><b>%1</b>").arg(escaped(step.question->text));
  // Once the run has measured, its result leads: the step's instructions are done with.
  if (!step.reveal.empty()) {
    html = verdict_ ? resultHtml() + QStringLiteral("<br>") + html : html + QStringLiteral("<br>") + resultHtml();
  }
  const bool last = step_ + 1 == stepCount();
  if (last && !anyReveal(lesson_) && !measured_.isEmpty()) {
    html += QStringLiteral("<br><i>%1</i>").arg(measured_.toHtmlEscaped());
  }
  return html;
}

QString LessonBar::resultHtml() const {
  const LessonStep& step = lesson_.steps[static_cast<size_t>(step_)];
  const auto questionStep = lesson_.question_step_for(static_cast<size_t>(step_));
  const auto chosen = questionStep ? answer(static_cast<int>(*questionStep)) : std::nullopt;
  if (questionStep && !chosen) return QStringLiteral("<i>%1</i>").arg(tr("Answer the question to see the result."));
  if (!verdict_) {
    return QStringLiteral("<i>%1</i>").arg(
        tr("Run the experiment (Train step, ▶ with Compare with twin ticked) to see the result."));
  }
  QString html;
  if (chosen) {  // first: it is what the class waited for
    const LessonQuestion& question = *lesson_.steps[*questionStep].question;
    html = QStringLiteral("<b>%1</b><br>").arg(escaped(answer_feedback(question, *chosen, *verdict_)));
  }
  html += QStringLiteral("<b>%1</b> %2").arg(tr("Result:"), escaped(step.reveal));
  if (!measured_.isEmpty()) {
    html += QStringLiteral("<br><i>%1</i>").arg(measured_.toHtmlEscaped());
  }
  return html;
}

QString LessonBar::text() const {
  if (!isRunning()) return QString();
  QTextDocument title, body;
  title.setHtml(title_->text());
  body.setHtml(body_->text());
  QString plain = title.toPlainText() + QLatin1Char('\n') + body.toPlainText();
  plain.replace(QChar::LineSeparator, QLatin1Char('\n'));  // what <br> becomes
  for (QPushButton* button : choices_) {
    const QString mark = button->isChecked() ? QStringLiteral("[x] ") : QStringLiteral("[ ] ");
    plain += QLatin1Char('\n') + mark + button->text().replace(QStringLiteral("&&"), QStringLiteral("&"));
  }
  return plain;
}

QWidget* LessonBar::highlighted() const { return highlight_->target(); }

void LessonBar::changeEvent(QEvent* event) {
  QFrame::changeEvent(event);
  if (event->type() == QEvent::FontChange) fitBodyHeight();
}

// At most kBodyLines lines, so the curves below keep their height.
void LessonBar::fitBodyHeight() { bodyArea_->setMaximumHeight(body_->fontMetrics().lineSpacing() * kBodyLines + 4); }

}  // namespace tl
