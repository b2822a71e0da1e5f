#include "panels/data_panel.h"

#include "support/ui_test_helpers.h"

#include "data/idx_reader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

namespace tl {
namespace {

using test::makeSession;

bool haveFashionMnist() {
  return QFileInfo::exists(QString::fromStdString(default_fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz"));
}

QVector<QImage> images(const QVector<Sample>& samples) {
  QVector<QImage> out;
  for (const Sample& s : samples) out << s.image;
  return out;
}

TEST(DataPanel, SampleStripShowsSourceAndTargetClasses) {
  if (!haveFashionMnist()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  auto session = makeSession();
  DataPanel panel(session.get());
  ASSERT_EQ(panel.targetSamples().size(), DataPanel::kSamplesPerRow);
  ASSERT_EQ(panel.sourceSamples().size(), DataPanel::kSamplesPerRow);
  const QStringList names = ExperimentSession::fashionMnistClassNames();
  EXPECT_EQ(panel.targetSamples().front().className, names[session->targetClasses().front()]);
  EXPECT_EQ(panel.targetSamples().front().image.size(), QSize(28, 28));
}

TEST(DataPanel, SampleStripChangesWhenTheShiftChanges) {
  if (!haveFashionMnist()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  auto session = makeSession();
  session->setShift(QStringLiteral("none"), 0.0);
  DataPanel panel(session.get());
  panel.refreshSamplesNow();
  const QVector<QImage> before = images(panel.targetSamples());
  const QVector<QImage> sourceBefore = images(panel.sourceSamples());

  panel.shiftCombo()->setCurrentIndex(panel.shiftCombo()->findData(QStringLiteral("inversion")));
  panel.strengthSlider()->setValue(100);
  EXPECT_EQ(session->shiftKind(), QStringLiteral("inversion"));
  EXPECT_DOUBLE_EQ(session->shiftStrength(), 1.0);
  // Redrawn by the debounce timer, not synchronously.
  EXPECT_TRUE(QTest::qWaitFor([&] { return images(panel.targetSamples()) != before; }, 2000));
  EXPECT_EQ(images(panel.sourceSamples()), sourceBefore);  // the source is never shifted
}

TEST(DataPanel, RefusesFewerThanTwoClasses) {
  auto session = makeSession();
  ASSERT_TRUE(session->setTargetClasses({2, 3}));
  DataPanel panel(session.get());
  panel.classCheckBox(2)->setChecked(false);
  EXPECT_EQ(session->targetClasses(), (QList<int>{2, 3}));
  EXPECT_TRUE(panel.classCheckBox(2)->isChecked());
  panel.classCheckBox(7)->setChecked(true);
  EXPECT_EQ(session->targetClasses(), (QList<int>{2, 3, 7}));
}

TEST(DataPanel, ControlsFollowAConfigLoadedLater) {
  auto session = makeSession();
  DataPanel panel(session.get());
  session->setShotsPerClass(7);
  session->setShift(QStringLiteral("rotation"), 0.25);
  EXPECT_EQ(panel.shotsSpin()->value(), 7);
  EXPECT_EQ(panel.shiftCombo()->currentData().toString(), QStringLiteral("rotation"));
  EXPECT_EQ(panel.strengthSlider()->value(), 25);
}

TEST(DataPanel, UnlabelledTargetWithholdsLabelsAndDisablesTheShots) {
  auto session = makeSession();
  DataPanel panel(session.get());
  session->setShotsPerClass(7);
  panel.unlabelledCheck()->setChecked(true);
  EXPECT_FALSE(session->targetLabelled());
  EXPECT_EQ(session->shotsPerClass(), 0);
  EXPECT_FALSE(panel.shotsSpin()->isEnabled());
  panel.unlabelledCheck()->setChecked(false);
  EXPECT_TRUE(session->targetLabelled());
  EXPECT_TRUE(panel.shotsSpin()->isEnabled());
  session->setTargetLabelled(false);  // e.g. a preset loaded later
  EXPECT_TRUE(panel.unlabelledCheck()->isChecked());
}

}  // namespace
}  // namespace tl
