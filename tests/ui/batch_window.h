#pragma once

// Shared set-up of the tests that drive a whole MainWindow.

#include "main_window/main_window.h"
#include "training/training_controller.h"

#include <QCoreApplication>
#include <QStandardPaths>
#include <QString>

namespace tl::test {

/// Keeps QSettings and run folders away from the user's own; call from
/// SetUpTestSuite, before any window exists.
inline void isolateSettings() {
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
