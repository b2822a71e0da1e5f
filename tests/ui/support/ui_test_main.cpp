// gtest main for widget tests: one QApplication for the whole binary, on the
// offscreen platform unless the caller chose another (e.g. xcb under Xvfb).
#include <gtest/gtest.h>

#include "support/batch_window.h"

#include <QApplication>

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  tl::test::isolateUserDirectories();  // settings, history and caches of this process only
  testing::InitGoogleTest(&argc, argv);
  QApplication app(argc, argv);
  return RUN_ALL_TESTS();
}
