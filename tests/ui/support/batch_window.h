#pragma once

// Shared set-up of the tests that drive a whole MainWindow.

#include "main_window/main_window.h"
#include "training/training_controller.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

namespace tl::test {

/// Gives this test process user directories of its own: QSettings
/// (XDG_CONFIG_HOME), the app's data and imported models (XDG_DATA_HOME), the
/// decoded-image cache (XDG_CACHE_HOME) and the run history
/// (TRANSFERLAB_DATA_DIR). ctest runs several test processes at once; with
/// shared directories one test's "last run" setting would overwrite another's.
/// ui_test_main.cpp calls it first thing, before anything reads a path.
inline void isolateUserDirectories() {
  static QTemporaryDir home(QDir::tempPath() + QStringLiteral("/transferlab-ui-tests-XXXXXX"));
  const QDir root(home.path());
  const auto point = [&root](const char* variable, const QString& subdirectory) {
    root.mkpath(subdirectory);
    qputenv(variable, QFile::encodeName(root.filePath(subdirectory)));
  };
  point("XDG_CONFIG_HOME", QStringLiteral("config"));
  point("XDG_DATA_HOME", QStringLiteral("data"));
  point("XDG_CACHE_HOME", QStringLiteral("cache"));
  point("TRANSFERLAB_DATA_DIR", QStringLiteral("history"));
}

/// Keeps QSettings, run folders and the run history away from the user's own
/// (and from other test processes): see isolateUserDirectories.
inline void isolateSettings() {
  isolateUserDirectories();
  QCoreApplication::setOrganizationName(QStringLiteral("TransferLabTest"));
  QCoreApplication::setApplicationName(QStringLiteral("transferlab-ui-tests"));
}

/// A window for tests: errors go to the status bar instead of modal dialogs,
/// nothing is saved to QSettings, runs are written under `runsDirectory`.
inline void makeBatchWindow(MainWindow& window, const QString& runsDirectory) {
  window.setInteractive(false);
  window.setPersistSettings(false);
  window.controller()->setRunsDirectory(runsDirectory);
}

}  // namespace tl::test
