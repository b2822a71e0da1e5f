#include "main_window/setup_steps.h"

#include "main_window/wheel_guard.h"
#include "panels/folder_preview.h"
#include "session/experiment_session.h"
#include "style/presentation_scale.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tl {
namespace {

constexpr int kIconSize = 16;
/// The column takes at most this share of the narrowest screen the window is
/// made for (a 1024-pixel projector), so the layer tree and the curves keep
/// the rest at every presentation factor.
constexpr int kNarrowestScreenWidth = 1024;
constexpr double kMaxColumnShare = 0.55;
/// How much smaller each try at the step names' font is, when they do not fit.
constexpr double kTabFontStep = 0.95;

SetupStep stepAt(int index) { return static_cast<SetupStep>(index); }
int indexOf(SetupStep step) { return static_cast<int>(step); }

QKeySequence stepShortcut(SetupStep step) {
  return QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + indexOf(step)));
}

}  // namespace

SetupSteps::SetupSteps(ExperimentSession* session, TrainingController* controller, QWidget* parent)
    : QWidget(parent), session_(session), tabs_(new QTabWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(buildSummaryStrip());
  // Every step's name stays readable: no scroll arrows, no eliding.
  tabs_->setDocumentMode(true);
  tabs_->tabBar()->setUsesScrollButtons(false);
  tabs_->tabBar()->setElideMode(Qt::ElideNone);
  tabs_->tabBar()->setExpanding(true);
  for (int i = 0; i < kSetupStepCount; ++i) buildPage(stepAt(i));
  layout->addWidget(tabs_, 1);
  addShortcuts();
  new WheelGuard(this);

  connect(session, &ExperimentSession::configChanged, this, &SetupSteps::refresh);
  connect(controller, &TrainingController::stateChanged, this, [this](TrainingController::State state) {
    lastRun_ = state;
    refresh();
  });
  connect(controller, &TrainingController::runFinished, this,
          [this](TrainingController::State status, const QString&, double testAccuracy) {
            lastRun_ = status;
            testAccuracy_ = testAccuracy;
            refresh();
          });
  refresh();
}

QWidget* SetupSteps::buildSummaryStrip() {
  auto* strip = new QWidget(this);
  strip->setObjectName(QStringLiteral("stepSummaries"));
  auto* grid = new QGridLayout(strip);
  grid->setContentsMargins(4, 2, 4, 4);
  grid->setHorizontalSpacing(6);
  grid->setVerticalSpacing(1);
  for (int i = 0; i < kSetupStepCount; ++i) {
    marks_[i] = new QLabel(strip);
    marks_[i]->setFixedSize(kIconSize, kIconSize);
    auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(setupStepTitle(stepAt(i)).toHtmlEscaped()), strip);
    summaries_[i] = new QLabel(strip);
    summaries_[i]->setWordWrap(true);
    summaries_[i]->setTextFormat(Qt::RichText);
    summaries_[i]->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(marks_[i], i, 0, Qt::AlignTop);
    grid->addWidget(title, i, 1, Qt::AlignTop);
    grid->addWidget(summaries_[i], i, 2);
  }
  grid->setColumnStretch(2, 1);
  return strip;
}

void SetupSteps::buildPage(SetupStep step) {
  auto* page = new QWidget;
  auto* column = new QVBoxLayout(page);
  // Narrow side margins: the tab widget already frames the page, and the
  // column must leave the curves most of a 1024-pixel-wide projector screen.
  column->setContentsMargins(4, 6, 4, 6);
  column->addStretch(1);  // panels go above it, so a short page keeps its panels at the top
  auto* area = new QScrollArea;
  area->setWidget(page);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  areas_[indexOf(step)] = area;
  columns_[indexOf(step)] = column;
  tabs_->addTab(area, setupStepTitle(step));
}

void SetupSteps::addShortcuts() {
  for (int i = 0; i < kSetupStepCount; ++i) {
    auto* shortcut = new QShortcut(stepShortcut(stepAt(i)), this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, [this, i] { showStep(stepAt(i)); });
  }
}

void SetupSteps::addPanels(SetupStep step, const QList<QWidget*>& panels) {
  QVBoxLayout* column = columns_[indexOf(step)];
  for (QWidget* panel : panels) column->insertWidget(column->count() - 1, panel);
  fitWidthToPages();
}

void SetupSteps::prependPanel(SetupStep step, QWidget* panel) {
  columns_[indexOf(step)]->insertWidget(0, panel);
  fitWidthToPages();
}

int SetupSteps::maxColumnWidth() { return static_cast<int>(kNarrowestScreenWidth * kMaxColumnShare); }

// Never narrower than the widest page, so the pages scroll vertically only;
// but never wider than maxColumnWidth(): at presentation mode's largest
// factors a page wider than that scrolls sideways too, rather than push the
// curves off a projector's screen.
void SetupSteps::fitWidthToPages() {
  const int widest = maxColumnWidth();
  fitStepNames(widest);
  int width = tabs_->tabBar()->minimumSizeHint().width();
  for (QScrollArea* area : areas_) {
    const int page = area->widget()->minimumSizeHint().width() + area->verticalScrollBar()->sizeHint().width();
    area->setMinimumWidth(std::min(page, widest));
    width = std::max(width, area->minimumWidth());
  }
  tabs_->setMinimumWidth(width);
}

// Every step's name stays whole: where the tabs at the window's font would be
// wider than `maxWidth`, their font gives way, down to the normal size at most.
void SetupSteps::fitStepNames(int maxWidth) {
  QTabBar* bar = tabs_->tabBar();
  bar->setFont(QFont());  // the window's font again, when it has changed
  const double normal = PresentationScale::instance()->baseFont().pointSizeF();
  QFont font = bar->font();
  while (bar->minimumSizeHint().width() > maxWidth && font.pointSizeF() > normal) {
    font.setPointSizeF(std::max(normal, font.pointSizeF() * kTabFontStep));
    bar->setFont(font);
  }
}

// Larger fonts (presentation mode) widen the pages: once every panel has
// taken the new font, the column widens with them.
void SetupSteps::changeEvent(QEvent* event) {
  if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
    QMetaObject::invokeMethod(this, &SetupSteps::fitWidthToPages, Qt::QueuedConnection);
  }
  QWidget::changeEvent(event);
}

void SetupSteps::watchFolderPreview(FolderPreview* preview) {
  connect(preview, &FolderPreview::finished, this, &SetupSteps::showFolderLoad);
}

void SetupSteps::showFolderLoad(const FolderSummary& summary) {
  failedFolder_ = summary.error.isEmpty() ? QString() : summary.folder;
  folderError_ = summary.error;
  refresh();
}

QScrollArea* SetupSteps::stepArea(SetupStep step) const { return areas_[indexOf(step)]; }
SetupStep SetupSteps::currentStep() const { return stepAt(std::max(0, tabs_->currentIndex())); }
void SetupSteps::showStep(SetupStep step) { tabs_->setCurrentIndex(indexOf(step)); }

void SetupSteps::reveal(SetupStep step, QWidget* widget) {
  showStep(step);
  stepArea(step)->ensureWidgetVisible(widget);
}

QString SetupSteps::summaryText(SetupStep step) const { return summaries_[indexOf(step)]->text(); }
QString SetupSteps::problem(SetupStep step) const { return problems_[indexOf(step)]; }

QString SetupSteps::summaryOf(SetupStep step) const {
  switch (step) {
    case SetupStep::Model: return modelStepSummary(*session_);
    case SetupStep::Data: return dataStepSummary(*session_);
    case SetupStep::Strategy: return strategyStepSummary(*session_);
    case SetupStep::Train: return trainStepSummary(*session_);
    case SetupStep::Analyse: return analyseStepSummary(lastRun_, testAccuracy_);
  }
  return {};
}

void SetupSteps::refresh() {
  problems_.fill(QString());
  if (const std::optional<StepProblem> found = configProblem(*session_)) problems_[indexOf(found->step)] = found->message;
  const QString folder = session_->targetFolder();
  QString& data = problems_[indexOf(SetupStep::Data)];
  if (data.isEmpty() && !folder.isEmpty() && folder == failedFolder_) {
    data = tr("the image folder cannot be used: %1").arg(folderError_);
  }
  for (int i = 0; i < kSetupStepCount; ++i) showStepState(stepAt(i), summaryOf(stepAt(i)), problems_[i]);
}

// A problem shows as an icon and as words, never as a colour alone.
void SetupSteps::showStepState(SetupStep step, const QString& summary, const QString& problem) {
  const int i = indexOf(step);
  const QString keys = stepShortcut(step).toString(QKeySequence::NativeText);
  if (problem.isEmpty()) {
    marks_[i]->clear();
    marks_[i]->setToolTip(QString());
    summaries_[i]->setText(summary.toHtmlEscaped());
    tabs_->setTabIcon(i, QIcon());
    tabs_->setTabToolTip(i, tr("%1 (%2)").arg(summary, keys));
    return;
  }
  const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
  marks_[i]->setPixmap(warning.pixmap(kIconSize, kIconSize));
  marks_[i]->setToolTip(problem);
  summaries_[i]->setText(tr("<b>Needs attention:</b> %1").arg(problem.toHtmlEscaped()));
  tabs_->setTabIcon(i, warning);
  tabs_->setTabToolTip(i, tr("Needs attention: %1 (%2)").arg(problem, keys));
}

}  // namespace tl
