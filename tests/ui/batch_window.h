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

/// Points the run history (core/history: TRANSFERLAB_DATA_DIR) at one
/// temporary directory for the whole test binary, so no test run is recorded
/// in the user's ~/.local/share. ui_test_main.cpp calls it first thing.
inline void isolateRunHistory() {
  static QTemporaryDir dataDir(QDir::tempPath() + QStringLiteral("/transferlab-ui-tests-XXXXXX"));
  qputenv("TRANSFERLAB_DATA_DIR", QFile::encodeName(dataDir.path()));
}

/// Keeps QSettings, run folders and the run history away from the user's own;
/// call from SetUpTestSuite, before any window exists.
inline void isolateSettings() {
  isolateRunHistory();
  QStandardPaths::setTestModeEnabled(true);
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
