#include "probe/probe_panel.h"

#include "layer_tree/layer_tree_model.h"
#include "layer_tree/layer_tree_panel.h"
#include "layer_tree/layer_tree_view.h"

#include "../core/support/fashion_mnist.h"
#include "support/ui_test_helpers.h"
#include "support/ui_wait.h"
#include "tasks/task_progress_bar.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace tl {
namespace {

using test::untrainedConfigJson;
using test::wait_until;

constexpr int kProbeTimeoutMs = 180000;

std::unique_ptr<ExperimentSession> untrainedSession() {
  auto session = std::make_unique<ExperimentSession>();
  QString error;
  EXPECT_TRUE(session->setConfigJson(untrainedConfigJson(), &error)) << error.toStdString();
  return session;
}

/// A probe panel over an untrained small_cnn, saving its runs in a folder of its own.
class ProbePanelTest : public ::testing::Test {
 protected:
  void SetUp() override { panel.setRunsDirectory(runs.path()); }

  std::unique_ptr<ExperimentSession> session = untrainedSession();
  QTemporaryDir runs;
  ProbePanel panel{session.get()};
};

QJsonObject readRunJson(const QString& dir) {
  QFile file(dir + QStringLiteral("/run.json"));
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

TEST_F(ProbePanelTest, ProfileShowsTheInputAndEveryBlockAndSavesARunRecord) {
  REQUIRE_FASHION_MNIST();
  panel.setTestPerClass(20);
  QSignalSpy probed(&panel, &ProbePanel::probed);
  QSignalSpy failed(&panel, &ProbePanel::failed);

  panel.profileButton()->click();
  EXPECT_TRUE(panel.isProbing());
  EXPECT_FALSE(panel.profileButton()->isEnabled());
  EXPECT_FALSE(panel.probeLayer(QStringLiteral("features.0")));  // one probe at a time
  ASSERT_TRUE(wait_until([&] { return probed.count() + failed.count() > 0; }, kProbeTimeoutMs));
  ASSERT_EQ(failed.count(), 0) << failed.front().front().toString().toStdString();

  const QStringList expected = {"input", "features.0", "features.1", "features.2"};
  ASSERT_EQ(panel.rows().size(), expected.size());
  ASSERT_EQ(panel.table()->rowCount(), expected.size());
  for (int i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(panel.rows()[i].layer, expected[i]);
    EXPECT_GE(panel.rows()[i].logisticTest, 0.0);
    EXPECT_GE(panel.rows()[i].knnTest, 0.0);
    EXPECT_EQ(panel.table()->item(i, 0)->text(), expected[i]);
  }
  EXPECT_TRUE(panel.table()->item(0, 3)->text().endsWith(QLatin1Char('%')));
  EXPECT_TRUE(panel.profileButton()->isEnabled());

  const QJsonObject run = readRunJson(panel.lastRunDir());
  EXPECT_EQ(run.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
  EXPECT_EQ(run.value(QStringLiteral("probe")).toObject().value(QStringLiteral("rows")).toArray().size(), 4);
  EXPECT_TRUE(panel.statusText().contains(panel.lastRunDir()));
}

TEST_F(ProbePanelTest, ProbesOneLayerInsideABlock) {
  REQUIRE_FASHION_MNIST();
  panel.setTestPerClass(10);
  QSignalSpy probed(&panel, &ProbePanel::probed);
  ASSERT_TRUE(panel.probeLayer(QStringLiteral("features.1.2")));
  ASSERT_TRUE(wait_until([&] { return !panel.isProbing() && probed.count() == 1; }, kProbeTimeoutMs));
  ASSERT_EQ(panel.rows().size(), 1);
  EXPECT_EQ(panel.rows()[0].layer, QStringLiteral("features.1.2"));
  EXPECT_EQ(panel.rows()[0].type, QStringLiteral("ReLU"));
  EXPECT_EQ(panel.rows()[0].features, 64 * 5 * 5);
}

TEST_F(ProbePanelTest, ALayerThatCannotBeProbedFailsWithTheFieldAndLeavesThePanelUsable) {
  QSignalSpy failed(&panel, &ProbePanel::failed);
  ASSERT_TRUE(panel.probeLayer(QStringLiteral("features.9")));
  ASSERT_TRUE(wait_until([&] { return failed.count() == 1; }, kProbeTimeoutMs));
  EXPECT_TRUE(failed.front().front().toString().startsWith(
      QStringLiteral("probe.layer: no layer 'features.9' in small_cnn; layers that can be probed: input, features.0")));
  EXPECT_TRUE(panel.statusText().contains(QStringLiteral("probe.layer")));
  EXPECT_FALSE(panel.isProbing());
  EXPECT_TRUE(panel.profileButton()->isEnabled());
  EXPECT_TRUE(panel.rows().isEmpty());
}

TEST_F(ProbePanelTest, EscCancelsAProbeAndThePanelIsIdleAtOnce) {
  QSignalSpy probed(&panel, &ProbePanel::probed);
  QSignalSpy failed(&panel, &ProbePanel::failed);
  QSignalSpy cancelled(&panel, &ProbePanel::cancelled);
  ASSERT_TRUE(panel.probeProfile());
  ASSERT_TRUE(panel.progress()->isVisibleTo(&panel));

  // Esc travels up from whatever has the focus inside the panel.
  QTest::keyClick(panel.progress()->bar(), Qt::Key_Escape);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_FALSE(panel.isProbing());
  EXPECT_TRUE(panel.profileButton()->isEnabled());
  EXPECT_FALSE(panel.progress()->isVisibleTo(&panel));
  EXPECT_TRUE(panel.statusText().contains(QStringLiteral("cancelled")));

  // The panel takes the next probe at once; the cancelled one never reports.
  ASSERT_TRUE(panel.probeLayer(QStringLiteral("features.9")));
  ASSERT_TRUE(wait_until([&] { return failed.count() == 1; }, kProbeTimeoutMs));
  EXPECT_EQ(probed.count(), 0);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_TRUE(panel.lastRunDir().isEmpty());
  EXPECT_TRUE(panel.rows().isEmpty());
}

TEST(ProbePanel, TreeContextMenuAsksToProbeTheClickedLayer) {
  auto session = untrainedSession();
  LayerTreePanel tree(session.get());
  tree.resize(600, 400);
  tree.show();
  LayerTreeView& view = *tree.view();
  QSignalSpy probe(&view, &LayerTreeView::probeRequested);
  const QModelIndex index = view.layerModel()->indexOfPath(QStringLiteral("features.1"));
  ASSERT_TRUE(index.isValid());
  view.scrollTo(index);
  const QPoint at = view.visualRect(index).center();
  // The menu runs its own event loop: pick the action once it is up.
  QTimer::singleShot(50, [] {
    auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
    if (!menu) return;
    for (QAction* action : menu->actions()) {
      if (action->text() == QStringLiteral("Probe this layer")) action->trigger();
    }
    menu->close();
  });
  QContextMenuEvent event(QContextMenuEvent::Mouse, at, view.viewport()->mapToGlobal(at));
  QApplication::sendEvent(view.viewport(), &event);
  ASSERT_EQ(probe.count(), 1);
  EXPECT_EQ(probe.front().front().toString(), QStringLiteral("features.1"));
}

}  // namespace
}  // namespace tl
