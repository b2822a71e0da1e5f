#include "similarity/similarity_panel.h"

#include "session/experiment_session.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"
#include "tasks/task_progress_bar.h"

#include <gtest/gtest.h>

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>

namespace tl {
namespace {

constexpr int kMeasureTimeoutMs = 180000;

/// A strategy other than `name`, to see the recommendation arrive.
QString anotherStrategy(const QString& name) {
  return name == QLatin1String("full_fine_tuning") ? QStringLiteral("feature_extraction")
                                                   : QStringLiteral("full_fine_tuning");
}

TEST(SimilarityPanel, MeasuresOffTheGuiThreadAndApplyingChangesTheStrategy) {
  if (builtin_models().empty()) GTEST_SKIP() << "no built-in checkpoint";
  auto session = test::makeSession();
  SimilarityPanel panel(session.get());
  panel.setSamplesPerDomain(80);
  QSignalSpy measured(&panel, &SimilarityPanel::measured);

  ASSERT_TRUE(panel.measure());
  // measure() returned at once; the work goes on in the background.
  EXPECT_TRUE(panel.isMeasuring());
  EXPECT_FALSE(panel.measureButton()->isEnabled());
  EXPECT_FALSE(panel.measure());  // one at a time
  ASSERT_TRUE(test::wait_until([&] { return measured.count() > 0; }, kMeasureTimeoutMs));
  EXPECT_FALSE(panel.isMeasuring());

  const SimilarityResult r = panel.result();
  EXPECT_EQ(r.depths.size(), session->blockCount());
  EXPECT_EQ(panel.table()->rowCount(), session->blockCount());
  for (const auto& d : r.depths) {
    EXPECT_GE(d.proxyADistance, 0.0);
    EXPECT_LE(d.proxyADistance, 2.0);
  }
  EXPECT_FALSE(r.reason.isEmpty());
  EXPECT_TRUE(panel.recommendationText().contains(r.similarity));

  const QString other = anotherStrategy(r.strategy);
  session->setStrategy(other, 1, 0.0);
  ASSERT_EQ(session->strategyName(), other);
  panel.applyButton()->click();
  EXPECT_EQ(session->strategyName(), r.strategy);
  EXPECT_EQ(session->similarity(), r.similarity);

  // The same button now undoes it.
  EXPECT_EQ(panel.applyButton()->text(), QStringLiteral("Undo apply"));
  panel.applyButton()->click();
  EXPECT_EQ(session->strategyName(), other);
  EXPECT_EQ(panel.applyButton()->text(), QStringLiteral("Apply recommendation"));
}

TEST(SimilarityPanel, ChangingTheTargetMakesTheResultStale) {
  if (builtin_models().empty()) GTEST_SKIP() << "no built-in checkpoint";
  auto session = test::makeSession();
  SimilarityPanel panel(session.get());
  panel.setSamplesPerDomain(40);
  QSignalSpy measured(&panel, &SimilarityPanel::measured);
  ASSERT_TRUE(panel.measure());
  ASSERT_TRUE(test::wait_until([&] { return measured.count() > 0; }, kMeasureTimeoutMs));
  EXPECT_FALSE(panel.isStale());
  EXPECT_TRUE(panel.applyButton()->isEnabled());

  session->setEpochs(session->epochs() + 1);  // training options do not matter to the meter
  EXPECT_FALSE(panel.isStale());
  ASSERT_TRUE(session->setShift(QStringLiteral("inversion"), 1.0));
  EXPECT_TRUE(panel.isStale());
  EXPECT_FALSE(panel.applyButton()->isEnabled());
}

TEST(SimilarityPanel, CancelReturnsThePanelToIdleAtOnceAndDropsTheResult) {
  if (builtin_models().empty()) GTEST_SKIP() << "no built-in checkpoint";
  auto session = test::makeSession();
  SimilarityPanel panel(session.get());
  panel.setSamplesPerDomain(40);
  QSignalSpy measured(&panel, &SimilarityPanel::measured);
  QSignalSpy cancelled(&panel, &SimilarityPanel::cancelled);
  ASSERT_TRUE(panel.measure());
  ASSERT_TRUE(panel.progress()->isVisibleTo(&panel));

  panel.progress()->cancelButton()->click();
  // Idle at once, although core's meter cannot be interrupted and runs on.
  EXPECT_FALSE(panel.isMeasuring());
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_TRUE(panel.measureButton()->isEnabled());
  EXPECT_EQ(panel.measureButton()->text(), QStringLiteral("Measure similarity"));
  EXPECT_FALSE(panel.progress()->isVisibleTo(&panel));
  EXPECT_TRUE(panel.result().depths.isEmpty());
  EXPECT_FALSE(panel.table()->isVisibleTo(&panel));

  // A new measurement starts at once, and only its result is shown.
  ASSERT_TRUE(panel.measure());
  ASSERT_TRUE(test::wait_until([&] { return measured.count() > 0; }, kMeasureTimeoutMs));
  EXPECT_EQ(measured.count(), 1);
  EXPECT_EQ(panel.result().depths.size(), session->blockCount());
  EXPECT_FALSE(panel.isMeasuring());
}

TEST(SimilarityPanel, UntrainedModelCannotBeMeasured) {
  ExperimentSession session;
  QString error;
  ASSERT_TRUE(session.setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  SimilarityPanel panel(&session);
  EXPECT_FALSE(panel.measureButton()->isEnabled());
  EXPECT_FALSE(panel.measure());
}

}  // namespace
}  // namespace tl
