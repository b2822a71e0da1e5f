#include "panels/data_panel.h"

#include "support/ui_test_helpers.h"
#include "tasks/task_progress_bar.h"
#include "support/ui_wait.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace tl {
namespace {

using test::makeSession;
using test::wait_until;

// tests/data/images/colours: blue, green, red (6 PNGs each; green also holds
// a grey BMP, red a text file named notes.png).
const QString kColours = QStringLiteral(TL_TEST_DATA_DIR "/images/colours");

// Keeps the decode cache of each test in its own temporary directory.
class DataPanelFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cache_.isValid());
    previous_ = qgetenv("XDG_CACHE_HOME");
    qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
  }
  void TearDown() override {
    if (previous_.isEmpty()) qunsetenv("XDG_CACHE_HOME");
    else qputenv("XDG_CACHE_HOME", previous_);
  }

  QTemporaryDir cache_;
  QByteArray previous_;
};

TEST_F(DataPanelFolder, ShowsClassesCountsProgressAndSkippedFiles) {
  auto session = makeSession();
  DataPanel panel(session.get());
  QSignalSpy progress(panel.folderPreview(), &FolderPreview::progress);
  ASSERT_TRUE(session->setTargetFolder(kColours));
  EXPECT_EQ(panel.sourceCombo()->currentIndex(), DataPanel::ImageFolderSource);
  EXPECT_FALSE(panel.classCheckBox(0)->isVisibleTo(&panel));

  ASSERT_TRUE(wait_until([&] { return panel.folderSummaryLabel()->text().contains(QStringLiteral("3 classes")); },
                         60000))
      << panel.folderSummaryLabel()->text().toStdString();
  const QString summary = panel.folderSummaryLabel()->text();
  EXPECT_TRUE(summary.contains(QStringLiteral("blue: 4 train · 1 validation · 1 test"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral("Skipped 1 file"))) << summary.toStdString();
  EXPECT_TRUE(summary.contains(kColours + QStringLiteral("/red/notes.png: not a PNG, JPEG or BMP image")))
      << summary.toStdString();
  // The last progress before the summary is the whole folder.
  ASSERT_FALSE(progress.isEmpty());
  EXPECT_EQ(progress.last().at(0).toDouble(), 1.0);
  EXPECT_EQ(progress.last().at(1).toString(), QStringLiteral("Decoding 20 / 20 images"));
  EXPECT_FALSE(panel.folderProgress()->isVisibleTo(&panel));

  // The strip shows the folder's own images at the model's input size.
  panel.refreshSamplesNow();
  ASSERT_EQ(panel.targetSamples().size(), DataPanel::kSamplesPerRow);
  EXPECT_EQ(panel.targetSamples().front().className, QStringLiteral("blue"));
  EXPECT_EQ(panel.targetSamples().at(1).className, QStringLiteral("green"));
  EXPECT_EQ(panel.targetSamples().front().image.size(), QSize(28, 28));
}

TEST_F(DataPanelFolder, CancellingTheLoadLeavesThePanelIdleWithoutASummary) {
  auto session = makeSession();
  DataPanel panel(session.get());
  QSignalSpy finished(panel.folderPreview(), &FolderPreview::finished);
  QSignalSpy cancelled(panel.folderPreview(), &FolderPreview::cancelled);
  ASSERT_TRUE(session->setTargetFolder(kColours));
  ASSERT_TRUE(panel.folderPreview()->isLoading());
  EXPECT_TRUE(panel.folderProgress()->isVisibleTo(&panel));

  panel.folderProgress()->cancelButton()->click();
  EXPECT_FALSE(panel.folderPreview()->isLoading());
  EXPECT_FALSE(panel.folderProgress()->isVisibleTo(&panel));
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_TRUE(panel.folderSummaryLabel()->text().contains(QStringLiteral("cancelled")));
  // Waiting for a new load shows that the cancelled one never reports.
  panel.folderPreview()->load({kColours});
  ASSERT_TRUE(wait_until([&] { return finished.count() > 0; }, 60000));
  EXPECT_EQ(finished.count(), 1);
  EXPECT_TRUE(panel.folderSummaryLabel()->text().contains(QStringLiteral("3 classes")))
      << panel.folderSummaryLabel()->text().toStdString();
}

TEST_F(DataPanelFolder, ChoosingFashionMnistAgainRestoresTheClasses) {
  auto session = makeSession();
  DataPanel panel(session.get());
  ASSERT_TRUE(session->setTargetFolder(kColours));
  panel.sourceCombo()->setCurrentIndex(DataPanel::FashionMnistSource);
  Q_EMIT panel.sourceCombo()->activated(DataPanel::FashionMnistSource);
  EXPECT_TRUE(session->targetFolder().isEmpty());
  EXPECT_TRUE(panel.classCheckBox(0)->isVisibleTo(&panel));
  EXPECT_EQ(session->targetClasses().size(), 10);
}

TEST_F(DataPanelFolder, TheFolderSurvivesARestartThroughTheConfig) {
  auto session = makeSession();
  ASSERT_TRUE(session->setTargetFolder(kColours));
  EXPECT_EQ(session->layers().isEmpty(), false);
  ExperimentSession restored;
  QString error;
  ASSERT_TRUE(restored.setConfigJson(session->configJson(), &error)) << error.toStdString();
  EXPECT_EQ(restored.targetFolder(), kColours);
}

TEST_F(DataPanelFolder, AOneClassFolderIsRefusedAndTheTargetKept) {
  QTemporaryDir dir;
  ASSERT_TRUE(QDir(dir.path()).mkpath(QStringLiteral("cats")));
  ASSERT_TRUE(QFile::copy(kColours + QStringLiteral("/red/0.png"), dir.path() + QStringLiteral("/cats/0.png")));
  auto session = makeSession();
  const QList<int> before = session->targetClasses();
  QString error;
  EXPECT_FALSE(session->setTargetFolder(dir.path(), &error));
  EXPECT_EQ(error, QStringLiteral("Image folder: target.folder: %1: only one class folder ('cats'); a classifier "
                                  "needs at least two")
                       .arg(dir.path()));
  EXPECT_TRUE(session->targetFolder().isEmpty());
  EXPECT_EQ(session->targetClasses(), before);
}

TEST_F(DataPanelFolder, ShiftsAndUnlabelledTargetsStayFashionMnistOnly) {
  auto session = makeSession();
  ASSERT_TRUE(session->setTargetFolder(kColours));
  QString error;
  EXPECT_FALSE(session->setShift(QStringLiteral("rotation"), 0.5, &error));
  EXPECT_EQ(error, QStringLiteral("Domain shifts apply to Fashion-MNIST only, not to an image folder"));
  session->setTargetLabelled(false);
  EXPECT_TRUE(session->targetLabelled());
}

}  // namespace
}  // namespace tl
