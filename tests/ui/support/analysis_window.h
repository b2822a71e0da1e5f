#pragma once

// A whole window set up for the Analysis view's tests (the Analysis tab, the
// --analysis launch): batch mode, runs in a temporary folder, quick analyses.

#include "analysis/analysis_view.h"
#include "main_window/main_window.h"
#include "support/analysis_fixtures.h"
#include "support/batch_window.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

namespace tl::test {

class AnalysisWindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { isolateSettings(); }
  void SetUp() override {
    ASSERT_TRUE(runs.isValid());
    makeBatchWindow(window, runs.path());
    window.analysisView()->setAnalysisOptions(quickAnalysis());
  }

  QTemporaryDir runs;
  MainWindow window;
};

}  // namespace tl::test
