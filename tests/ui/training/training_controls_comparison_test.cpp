#include "main_window/training_controls.h"
#include "session/experiment_session.h"
#include "training/training_controller.h"
#include "support/ui_test_helpers.h"

#include <gtest/gtest.h>

#include <QCheckBox>
#include <QSpinBox>

namespace tl {
namespace {

TEST(TrainingControlsComparison, TwinAndSeedsBecomeTheRunOptions) {
  if (builtin_models().empty()) GTEST_SKIP() << "no built-in checkpoint";
  auto session = test::makeSession();
  TrainingController controller;
  TrainingControls controls(session.get(), &controller);
  EXPECT_FALSE(controls.runOptions().twin);
  EXPECT_EQ(controls.runOptions().seeds, 1);
  EXPECT_EQ(controls.seedsBox()->minimum(), 1);
  EXPECT_EQ(controls.seedsBox()->maximum(), 10);

  controls.twinBox()->setChecked(true);
  controls.seedsBox()->setValue(3);
  EXPECT_TRUE(controls.runOptions().twin);
  EXPECT_EQ(controls.runOptions().seeds, 3);
  EXPECT_TRUE(controls.runOptions().isComparison());
}

TEST(TrainingControlsComparison, UntrainedModelHasNoTwin) {
  auto session = std::make_unique<ExperimentSession>();
  QString error;
  ASSERT_TRUE(session->setConfigJson(test::untrainedConfigJson(), &error)) << error.toStdString();
  TrainingController controller;
  TrainingControls controls(session.get(), &controller);
  controls.twinBox()->setChecked(true);
  EXPECT_FALSE(controls.twinBox()->isEnabled());
  EXPECT_FALSE(controls.runOptions().twin);  // a ticked but greyed box does not ask for a twin
}

}  // namespace
}  // namespace tl
