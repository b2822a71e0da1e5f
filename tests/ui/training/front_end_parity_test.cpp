// The window and transferlab-cli run an experiment through the same core
// path (run_experiment): the same config must leave the same run.json.

#include "support/batch_window.h"
#include "support/ui_wait.h"
#include "training/training_controller.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

namespace tl {
namespace {

constexpr int kRunTimeoutMs = 180000;

const char* const kConfig = R"({"name": "parity",
  "model": {"architecture": "small_cnn"},
  "target": {"classes": [0, 1, 2], "shots_per_class": 30, "test_per_class": 20, "seed": 5},
  "transfer": {"similarity": "low", "strategy": "full_fine_tuning"},
  "training": {"epochs": 2, "batch_size": 16, "learning_rate": 0.02, "seed": 5, "threads": 1}})";

nlohmann::json readRun(const QString& dir) {
  QFile file(QDir(dir).filePath(QStringLiteral("run.json")));
  if (!file.open(QIODevice::ReadOnly)) return nullptr;
  return nlohmann::json::parse(file.readAll().toStdString());
}

/// The record without what differs between any two runs: wall times.
nlohmann::json withoutTimes(nlohmann::json run) {
  run.erase("seconds");
  for (auto& epoch : run["epochs"]) epoch.erase("seconds");
  return run;
}

TEST(FrontEndParity, TheWindowAndTheCliWriteTheSameRunRecord) {
  test::isolateSettings();
  QTemporaryDir work;
  ASSERT_TRUE(work.isValid());
  const QString configPath = QDir(work.path()).filePath(QStringLiteral("parity.json"));
  QFile config(configPath);
  ASSERT_TRUE(config.open(QIODevice::WriteOnly));
  config.write(kConfig);
  config.close();

  TrainingController controller;
  controller.setRunsDirectory(QDir(work.path()).filePath(QStringLiteral("gui")));
  ASSERT_TRUE(controller.startFromConfigJson(QByteArray(kConfig)));
  ASSERT_TRUE(test::wait_until([&] { return !controller.isBusy(); }, kRunTimeoutMs));
  ASSERT_EQ(controller.state(), TrainingController::State::Finished) << controller.lastMessage().toStdString();

  const QString cliDir = QDir(work.path()).filePath(QStringLiteral("cli"));
  QProcess cli;
  cli.start(QStringLiteral(TL_CLI_PATH), {QStringLiteral("run"), configPath, QStringLiteral("--out"), cliDir});
  ASSERT_TRUE(cli.waitForFinished(kRunTimeoutMs));
  ASSERT_EQ(cli.exitCode(), 0) << cli.readAllStandardError().toStdString();

  const nlohmann::json gui = withoutTimes(readRun(controller.lastRunDir()));
  const nlohmann::json cliRun = withoutTimes(readRun(cliDir));
  ASSERT_TRUE(gui.is_object());
  ASSERT_TRUE(cliRun.is_object());
  // Field by field, so a difference names its section.
  for (const auto& [key, value] : gui.items()) EXPECT_EQ(value, cliRun.value(key, nlohmann::json())) << key;
  for (const auto& [key, value] : cliRun.items()) EXPECT_TRUE(gui.contains(key)) << key;
  for (const char* file : {"config.json", "metrics.csv", "model.safetensors", "model.json", "events.jsonl"}) {
    EXPECT_TRUE(QFile::exists(QDir(controller.lastRunDir()).filePath(QLatin1String(file)))) << file;
    EXPECT_TRUE(QFile::exists(QDir(cliDir).filePath(QLatin1String(file)))) << file;
  }
}

}  // namespace
}  // namespace tl
