#pragma once

// Sessions for ui tests: on a built-in checkpoint when resources/models has
// one, else on an untrained architecture (no checkpoint needed), so the tests
// run before and after the pretrained models exist.

#include "session/experiment_session.h"

#include "weights/pretrained_catalog.h"

#include <gtest/gtest.h>

#include <QString>

#include <memory>

namespace tl::test {

/// A config that needs no checkpoint and no dataset files.
inline QString untrainedConfigJson(const QString& architecture = QStringLiteral("small_cnn")) {
  return QStringLiteral(R"({"name": "ui test", "model": {"architecture": "%1"},
    "target": {"classes": [5, 6, 7, 8, 9], "shots_per_class": 20},
    "transfer": {"similarity": "moderate", "strategy": "partial_fine_tuning", "top_blocks": 1},
    "training": {"epochs": 1, "batch_size": 32, "learning_rate": 0.01, "optimizer": "sgd", "seed": 1}})")
      .arg(architecture);
}

/// The first built-in checkpoint if there is one, else an untrained small_cnn.
inline std::unique_ptr<ExperimentSession> makeSession() {
  auto session = std::make_unique<ExperimentSession>();
  QString error;
  const auto builtins = builtin_models();
  const bool ok = builtins.empty() ? session->setConfigJson(untrainedConfigJson(), &error)
                                   : session->setModel(QString::fromStdString(builtins.front().name), &error);
  EXPECT_TRUE(ok) << error.toStdString();
  return session;
}

/// Index in session.layers() just past the subtree of row `index`.
inline int subtreeEnd(const QVector<LayerRow>& rows, int index) {
  int end = index + 1;
  while (end < rows.size() && rows[end].depth > rows[index].depth) ++end;
  return end;
}

}  // namespace tl::test
