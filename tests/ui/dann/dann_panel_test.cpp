#include "dann/dann_panel.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

TEST(DannPanel, CollectsLambdaAndDomainAccuracyPerEpoch) {
  DannPanel panel;
  panel.addEpoch(1, 0.97, 0.46, QString());
  panel.addEpoch(2, 0.81, 0.76, QString());
  EXPECT_EQ(panel.lambdaValues(), (QVector<double>{0.46, 0.76}));
  EXPECT_EQ(panel.domainAccuracyValues(), (QVector<double>{0.97, 0.81}));
  EXPECT_TRUE(panel.valuesText().contains(QStringLiteral("81.0 %"))) << panel.valuesText().toStdString();
  EXPECT_TRUE(panel.valuesText().contains(QStringLiteral("0.76")));
  panel.beginRun();
  EXPECT_TRUE(panel.lambdaValues().isEmpty());
}

TEST(DannPanel, WarningIsShownUntilAHealthyEpoch) {
  DannPanel panel;
  panel.addEpoch(1, 0.99, 0.46, QStringLiteral("features not aligned: the domain classifier is at 99%"));
  EXPECT_TRUE(panel.warningText().contains(QStringLiteral("features not aligned")));
  panel.addEpoch(2, 0.70, 0.76, QString());
  EXPECT_TRUE(panel.warningText().isEmpty());
}

TEST(DannPanel, RunWithoutDannStillShowsItsWarning) {
  DannPanel panel;
  panel.addEpoch(3, -1.0, -1.0, QStringLiteral("task loss diverges: up three epochs in a row"));
  EXPECT_TRUE(panel.warningText().contains(QStringLiteral("task loss diverges")));
  EXPECT_TRUE(panel.lambdaValues().isEmpty());  // nothing to plot
}

}  // namespace
}  // namespace tl
