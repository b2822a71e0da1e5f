#include "main_window/setup_steps.h"
#include "main_window/step_summary.h"

#include "panels/folder_preview.h"
#include "session/experiment_session.h"
#include "support/ui_test_helpers.h"
#include "training/training_controller.h"

#include <gtest/gtest.h>

#include <QTabWidget>

namespace tl {
namespace {

// tests/data/images/colours: an image folder the session accepts.
const QString kColours = QStringLiteral(TL_TEST_DATA_DIR "/images/colours");

class StepSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QString error;
    ASSERT_TRUE(session.setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  }

  std::string shown(SetupStep step) const { return steps.summaryText(step).toStdString(); }
  bool marked(SetupStep step) const {
    return !steps.problem(step).isEmpty() && !steps.tabs()->tabIcon(static_cast<int>(step)).isNull() &&
           steps.summaryText(step).contains(QStringLiteral("Needs attention"));
  }
  int markedSteps() const {
    int count = 0;
    for (int i = 0; i < kSetupStepCount; ++i) count += marked(static_cast<SetupStep>(i)) ? 1 : 0;
    return count;
  }

  ExperimentSession session;
  TrainingController controller;
  SetupSteps steps{&session, &controller};
};

TEST(ClassRanges, RunsOfThreeOrMoreBecomeRanges) {
  EXPECT_EQ(classRanges({4, 3, 2, 1, 0}), QStringLiteral("0–4"));
  EXPECT_EQ(classRanges({0, 2, 5, 6, 7}), QStringLiteral("0, 2, 5–7"));
  EXPECT_EQ(classRanges({3, 4}), QStringLiteral("3, 4"));
  EXPECT_EQ(classRanges({}), QString());
}

TEST(StepOfConfigField, EachSectionBelongsToTheStepThatEditsIt) {
  EXPECT_EQ(stepOfConfigField(QStringLiteral("model.pretrained")), SetupStep::Model);
  EXPECT_EQ(stepOfConfigField(QStringLiteral("target.labelled")), SetupStep::Data);
  EXPECT_EQ(stepOfConfigField(QStringLiteral("mitigations.dann")), SetupStep::Strategy);
  EXPECT_EQ(stepOfConfigField(QStringLiteral("transfer.top_blocks")), SetupStep::Strategy);
  EXPECT_EQ(stepOfConfigField(QStringLiteral("training.batch_size")), SetupStep::Train);
}

TEST_F(StepSummaryTest, EveryStepReadsFromTheSessionsConfig) {
  EXPECT_EQ(shown(SetupStep::Model), "small_cnn, untrained (random weights)");
  EXPECT_EQ(shown(SetupStep::Data), "classes 5–9, 20 labels each, no shift");
  EXPECT_EQ(shown(SetupStep::Strategy), "moderate similarity → partial fine-tuning: 1 of 3 blocks from the top");
  EXPECT_EQ(shown(SetupStep::Train), "1 epoch, batch 32, sgd at learning rate 0.01, seed 1");
  EXPECT_EQ(shown(SetupStep::Analyse), "no run yet; probe a layer from the tree's context menu");
  // The tab's tooltip carries the same line and the step's shortcut.
  EXPECT_TRUE(steps.tabs()->tabToolTip(1).startsWith(QStringLiteral("classes 5–9, 20 labels each, no shift (")));
  EXPECT_EQ(markedSteps(), 0);
}

TEST_F(StepSummaryTest, SummariesFollowAConfigChange) {
  ASSERT_TRUE(session.setTargetClasses({0, 1, 2}));
  session.setShotsPerClass(5);
  ASSERT_TRUE(session.setShift(QStringLiteral("rotation"), 0.5));
  EXPECT_EQ(shown(SetupStep::Data), "classes 0–2, 5 labels each, rotation shift at 50%");

  ASSERT_TRUE(session.setStrategy(QStringLiteral("selective_transfer"), 2, 0.0));
  EXPECT_EQ(shown(SetupStep::Strategy), "moderate similarity → selective transfer: 2 of 3 blocks kept from the input");
  ASSERT_TRUE(session.setSimilarity(QStringLiteral("high")));
  EXPECT_EQ(shown(SetupStep::Strategy), "high similarity → feature extraction");
  MitigationSettings mitigations = session.mitigations();
  mitigations.l2sp = true;
  ASSERT_TRUE(session.setMitigations(mitigations));
  EXPECT_EQ(shown(SetupStep::Strategy), "high similarity → feature extraction; with L2-SP");

  session.setEpochs(3);
  session.setLearningRate(0.5);
  EXPECT_EQ(shown(SetupStep::Train), "3 epochs, batch 32, sgd at learning rate 0.5, seed 1");
}

TEST_F(StepSummaryTest, APretrainedModelNamesItsSourceClasses) {
  auto pretrained = test::makeSession();
  if (!pretrained->hasPretrainedModel()) GTEST_SKIP() << "no built-in checkpoint in resources/models";
  TrainingController idle;
  SetupSteps withCheckpoint(pretrained.get(), &idle);
  const QString expected = QStringLiteral("%1, pretrained on classes %2")
                               .arg(pretrained->modelInfo().architecture, classRanges(pretrained->sourceClasses()));
  EXPECT_EQ(withCheckpoint.summaryText(SetupStep::Model), expected);
}

TEST_F(StepSummaryTest, AnUnlabelledTargetWithoutDannMarksTheDataStep) {
  ASSERT_TRUE(session.setTargetLabelled(false));
  EXPECT_TRUE(marked(SetupStep::Data));
  EXPECT_TRUE(steps.problem(SetupStep::Data).startsWith(QStringLiteral("target.labelled: false leaves")))
      << steps.problem(SetupStep::Data).toStdString();
  EXPECT_EQ(markedSteps(), 1);

  ASSERT_TRUE(session.setTargetLabelled(true));
  EXPECT_EQ(markedSteps(), 0);
  EXPECT_TRUE(steps.tabs()->tabIcon(1).isNull());
}

TEST_F(StepSummaryTest, DannWithoutUnlabelledImagesMarksTheStrategyStep) {
  MitigationSettings mitigations = session.mitigations();
  mitigations.dann = true;
  ASSERT_TRUE(session.setMitigations(mitigations));
  EXPECT_EQ(markedSteps(), 0);  // 20 labels each: the rest are DANN's unlabelled images

  session.setShotsPerClass(0);  // every image labelled: none left for DANN
  EXPECT_TRUE(marked(SetupStep::Strategy));
  EXPECT_TRUE(steps.problem(SetupStep::Strategy).startsWith(QStringLiteral("mitigations.dann: needs unlabelled")))
      << steps.problem(SetupStep::Strategy).toStdString();
  EXPECT_EQ(markedSteps(), 1);
}

TEST_F(StepSummaryTest, AnImageFolderThatFailedToLoadMarksTheDataStepWhileItIsTheTarget) {
  FolderPreview preview;
  steps.watchFolderPreview(&preview);
  ASSERT_TRUE(session.setTargetFolder(kColours));
  EXPECT_EQ(shown(SetupStep::Data), "image folder colours, all labels");

  FolderSummary failed;
  failed.folder = kColours;
  failed.error = QStringLiteral("no readable images in class red");
  Q_EMIT preview.finished(failed);
  EXPECT_TRUE(marked(SetupStep::Data));
  EXPECT_TRUE(steps.problem(SetupStep::Data).contains(failed.error));

  ASSERT_TRUE(session.setTargetFolder(QString()));  // back to Fashion-MNIST: that folder is not used
  EXPECT_EQ(markedSteps(), 0);
  ASSERT_TRUE(session.setTargetFolder(kColours));
  FolderSummary loaded;
  loaded.folder = kColours;
  Q_EMIT preview.finished(loaded);
  EXPECT_EQ(markedSteps(), 0);
}

TEST_F(StepSummaryTest, TheAnalyseStepSummarisesTheLastRun) {
  using State = TrainingController::State;
  EXPECT_EQ(analyseStepSummary(State::Training, -1.0), QStringLiteral("a run is in progress"));
  EXPECT_EQ(analyseStepSummary(State::Finished, 0.873), QStringLiteral("last run finished, test accuracy 87.3%"));
  EXPECT_EQ(analyseStepSummary(State::Cancelled, -1.0), QStringLiteral("last run stopped before its end (not tested)"));
  Q_EMIT controller.runFinished(State::Finished, QString(), 0.5);
  EXPECT_EQ(shown(SetupStep::Analyse), "last run finished, test accuracy 50.0%");
}

}  // namespace
}  // namespace tl
