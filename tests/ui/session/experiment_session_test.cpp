#include "session/experiment_session.h"
#include "session/session_config.h"

#include "support/ui_test_helpers.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <functional>
#include <utility>
#include <vector>

namespace tl {
namespace {

using test::makeSession;

// Every layer with parameters, as the session and as `plan` see it.
void expectSessionFollowsPlan(const ExperimentSession& session, const FreezePlan& plan, const std::string& what) {
  for (const LayerRow& row : session.layers()) {
    if (row.ownParams == 0) continue;
    const LayerSetting expected = plan.setting_for(row.path.toStdString());
    EXPECT_EQ(session.layerTrainable(row.path), expected.trainable) << what << " layer " << row.path.toStdString();
    EXPECT_DOUBLE_EQ(session.layerLrMultiplier(row.path), expected.lr_multiplier) << what << " " << row.path.toStdString();
    EXPECT_EQ(row.trainableParams, expected.trainable ? row.subtreeParams : 0) << what << " " << row.path.toStdString();
  }
}

TEST(ExperimentSession, StartsWithAModelAndItsLayers) {
  ExperimentSession session;
  EXPECT_FALSE(session.layers().isEmpty());
  EXPECT_GT(session.totalParameters(), 0);
  EXPECT_EQ(session.layers().front().path, QString());
  EXPECT_GE(session.blockCount(), 1);
}

TEST(ExperimentSession, EachStrategyGivesThePlanCoreComputes) {
  auto session = makeSession();
  for (const QString& name : session->strategyNames()) {
    for (int top = 1; top <= session->blockCount(); ++top) {
      for (double lower : {0.0, 0.25}) {
        ASSERT_TRUE(session->setStrategy(name, top, lower));
        const auto& model = *sessionPreparedModel(*session).model;
        StrategyOptions options;
        options.top_blocks = top;  // each strategy reads only its own count
        options.transferred_blocks = top;
        options.lower_lr_multiplier = lower;
        const FreezePlan expected = make_plan(strategy_from_name(name.toStdString()), model, options);
        expectSessionFollowsPlan(*session, expected, name.toStdString() + " top " + std::to_string(top));
        EXPECT_FALSE(session->isCustom());
        EXPECT_EQ(session->strategyName(), name);
      }
    }
  }
}

TEST(ExperimentSession, SimilarityAppliesItsDefaultStrategy) {
  auto session = makeSession();
  for (const QString& level : session->similarityNames()) {
    session->setSimilarity(level);
    const StrategyChoice choice = default_strategy(similarity_from_name(level.toStdString()));
    EXPECT_EQ(session->similarity(), level);
    EXPECT_EQ(session->strategyName().toStdString(), strategy_name(choice.strategy));
    expectSessionFollowsPlan(*session, make_plan(choice.strategy, *sessionPreparedModel(*session).model, choice.options),
                             level.toStdString());
  }
}

TEST(ExperimentSession, FreezeUpToFreezesEverythingBeforeAndTrainsEverythingAfter) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("feature_extraction"), 1, 0.0);
  const QVector<LayerRow> rows = session->layers();
  const int middle = rows.size() / 2;
  session->freezeUpTo(rows[middle].path);
  const int boundary = test::subtreeEnd(rows, middle);
  for (int i = 0; i < rows.size(); ++i) {
    if (rows[i].ownParams == 0) continue;
    EXPECT_EQ(session->layerTrainable(rows[i].path), i >= boundary) << rows[i].path.toStdString();
  }
  EXPECT_TRUE(session->isCustom());
}

TEST(ExperimentSession, UnfreezeFromTrainsThatLayerAndEverythingAfter) {
  auto session = makeSession();
  const QVector<LayerRow> rows = session->layers();
  const int middle = rows.size() / 2;
  session->unfreezeFrom(rows[middle].path);
  for (int i = 0; i < rows.size(); ++i) {
    if (rows[i].ownParams == 0) continue;
    EXPECT_EQ(session->layerTrainable(rows[i].path), i >= middle) << rows[i].path.toStdString();
  }
}

TEST(ExperimentSession, EditingALayerMakesTheStrategyCustomAndApplyingOneClearsIt) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 0.0);
  QSignalSpy planChanged(session.get(), &ExperimentSession::planChanged);
  const QString head = session->layers().back().path;
  session->setTrainable({head}, false);
  EXPECT_TRUE(session->isCustom());
  EXPECT_FALSE(session->layerTrainable(head));
  EXPECT_EQ(planChanged.count(), 1);
  session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 0.0);
  EXPECT_FALSE(session->isCustom());
  EXPECT_TRUE(session->layerTrainable(head));
}

TEST(ExperimentSession, UndoingAnEditLeavesTheStrategyUncustomised) {
  auto session = makeSession();
  const QString head = session->layers().back().path;
  session->setTrainable({head}, false);
  session->setTrainable({head}, true);
  EXPECT_FALSE(session->isCustom());
}

TEST(ExperimentSession, ParentToggleKeepsLearningRateMultipliersOfChildren) {
  auto session = makeSession();
  session->setStrategy(QStringLiteral("partial_fine_tuning"), 1, 0.25);
  session->setTrainable({QString()}, false);
  session->setTrainable({QString()}, true);
  EXPECT_FALSE(session->isCustom());  // back to exactly the strategy's plan
}

TEST(ExperimentSession, CorruptCheckpointFailsAndKeepsThePreviousModel) {
  auto session = makeSession();
  const QString before = session->modelId();
  const auto rowsBefore = session->layers().size();
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("broken.safetensors"));
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("\x10\x00\x00\x00\x00\x00\x00\x00{not json", 17);
  file.close();
  QSignalSpy modelChanged(session.get(), &ExperimentSession::modelChanged);
  QString error;
  EXPECT_FALSE(session->setModel(path, &error));
  EXPECT_TRUE(error.contains(path)) << error.toStdString();
  EXPECT_EQ(modelChanged.count(), 0);
  EXPECT_EQ(session->modelId(), before);
  EXPECT_EQ(session->layers().size(), rowsBefore);
}

TEST(ExperimentSession, MissingModelFailsNamingIt) {
  auto session = makeSession();
  QString error;
  EXPECT_FALSE(session->setModel(QStringLiteral("no-such-model"), &error));
  EXPECT_TRUE(error.contains(QStringLiteral("no-such-model"))) << error.toStdString();
}

TEST(ExperimentSession, BadConfigJsonKeepsTheState) {
  auto session = makeSession();
  const QString before = session->configJson();
  QString error;
  EXPECT_FALSE(session->setConfigJson(QStringLiteral("{"), &error));
  EXPECT_TRUE(error.startsWith(QStringLiteral("not valid JSON"))) << error.toStdString();
  EXPECT_FALSE(session->setConfigJson(QStringLiteral(R"({"model": {"architecture": "small_cnn"},
      "transfer": {"layers": {"layer9": {"trainable": false}}}})"), &error));
  EXPECT_EQ(error, QStringLiteral("transfer.layers.layer9: no such layer in small_cnn (see `transferlab-cli layers`)"));
  EXPECT_EQ(session->configJson(), before);
}

TEST(ExperimentSession, UntrainedArchitectureNeedsNoCheckpoint) {
  ExperimentSession session;
  QString error;
  ASSERT_TRUE(session.setModel(QStringLiteral("resnet_narrow"), &error)) << error.toStdString();
  EXPECT_EQ(session.modelInfo().architecture, QStringLiteral("resnet_narrow"));
  EXPECT_FALSE(session.modelInfo().pretrained);
  EXPECT_LE(session.topBlocks(), session.blockCount());
}

TEST(ExperimentSession, TargetClassesRebuildTheHeadAndNeedTwo) {
  auto session = makeSession();
  QString error;
  EXPECT_FALSE(session->setTargetClasses({3}, &error));
  EXPECT_FALSE(error.isEmpty());
  ASSERT_TRUE(session->setTargetClasses({1, 2, 3}, &error)) << error.toStdString();
  EXPECT_EQ(sessionPreparedModel(*session).model->num_classes(), 3);
  EXPECT_EQ(sessionConfig(*session).target.classes, (std::vector<int64_t>{1, 2, 3}));
}

TEST(ExperimentSession, TrainingAndDataSettersUpdateTheConfig) {
  auto session = makeSession();
  QSignalSpy configChanged(session.get(), &ExperimentSession::configChanged);
  session->setEpochs(7);
  session->setBatchSize(16);
  session->setLearningRate(0.05);
  ASSERT_TRUE(session->setOptimizer(QStringLiteral("adam")));
  session->setSeed(42);
  session->setShotsPerClass(5);
  ASSERT_TRUE(session->setShift(QStringLiteral("rotation"), 0.5));
  const ExperimentConfig c = sessionConfig(*session);
  EXPECT_EQ(c.training.epochs, 7);
  EXPECT_EQ(c.training.batch_size, 16);
  EXPECT_DOUBLE_EQ(c.training.learning_rate, 0.05);
  EXPECT_EQ(c.training.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(c.training.seed, 42u);
  EXPECT_EQ(c.target.shots_per_class, 5);
  EXPECT_EQ(c.target.shift.kind, ShiftKind::Rotation);
  EXPECT_DOUBLE_EQ(c.target.shift.strength, 0.5);
  EXPECT_EQ(configChanged.count(), 7);
}

// The session's error rule: the caller gets the reason, once, from the call
// itself; the session has no error signal that would show it a second time.
TEST(ExperimentSession, AFailingCallReportsItsReasonOnlyToTheCaller) {
  auto session = makeSession();
  EXPECT_EQ(session->metaObject()->indexOfSignal("errorOccurred(QString)"), -1);
  const QString before = session->configJson();
  QSignalSpy configChanged(session.get(), &ExperimentSession::configChanged);
  const std::vector<std::pair<const char*, std::function<bool(QString*)>>> failing = {
      {"setConfigJson", [&](QString* e) { return session->setConfigJson(QStringLiteral("{"), e); }},
       {"loadConfigFile", [&](QString* e) { return session->loadConfigFile(QStringLiteral("/nonexistent.json"), e); }},
       {"saveConfigFile", [&](QString* e) { return session->saveConfigFile(QStringLiteral("/nonexistent/x.json"), e); }},
       {"setModel", [&](QString* e) { return session->setModel(QStringLiteral("no-such-model"), e); }},
       {"setSimilarity", [&](QString* e) { return session->setSimilarity(QStringLiteral("identical"), e); }},
       {"setStrategy", [&](QString* e) { return session->setStrategy(QStringLiteral("fine_tune"), 1, 0.0, e); }},
       {"setOptimizer", [&](QString* e) { return session->setOptimizer(QStringLiteral("rmsprop"), e); }},
       {"setTargetClasses", [&](QString* e) { return session->setTargetClasses({3}, e); }},
       {"setShift", [&](QString* e) { return session->setShift(QStringLiteral("melt"), 0.5, e); }},
       {"setTargetFolder", [&](QString* e) { return session->setTargetFolder(QStringLiteral("/nonexistent"), e); }}};
  for (const auto& [name, call] : failing) {
    QString error;
    EXPECT_FALSE(call(&error)) << name;
    EXPECT_FALSE(error.isEmpty()) << name;
    EXPECT_FALSE(call(nullptr)) << name << " without an error string";
  }
  EXPECT_EQ(configChanged.count(), 0);
  EXPECT_EQ(session->configJson(), before);
}

TEST(ExperimentSession, AFolderTargetRefusesToLoseItsLabels) {
  auto session = makeSession();
  QString error;
  ASSERT_TRUE(session->setTargetFolder(QStringLiteral(TL_TEST_DATA_DIR "/images/colours"), &error))
      << error.toStdString();
  EXPECT_FALSE(session->setTargetLabelled(false, &error));
  EXPECT_EQ(error, QStringLiteral("An image folder is labelled by its class folders; unlabelled targets are "
                                  "Fashion-MNIST only"));
  EXPECT_TRUE(session->targetLabelled());
}

TEST(ExperimentSession, LearningRateIsClampedToWhatAConfigAccepts) {
  auto session = makeSession();
  session->setLearningRate(0.0);
  EXPECT_DOUBLE_EQ(session->learningRate(), 1e-9);
  session->setLearningRate(50.0);
  EXPECT_DOUBLE_EQ(session->learningRate(), 10.0);
  EXPECT_NO_THROW(config_from_json(nlohmann::json::parse(session->configJson().toStdString())));
}

TEST(ExperimentSession, StrategyOptionsFollowCoresTable) {
  for (Strategy s : all_strategies()) {
    const QString name = QString::fromStdString(strategy_name(s));
    EXPECT_EQ(ExperimentSession::strategyUsesBlocks(name), strategy_option_use(s).blocks) << strategy_name(s);
    EXPECT_EQ(ExperimentSession::strategyUsesLowerLr(name), strategy_option_use(s).lower_lr_multiplier)
        << strategy_name(s);
    EXPECT_EQ(ExperimentSession::strategyCountsBlocksFromInput(name), strategy_option_use(s).blocks_from_input)
        << strategy_name(s);
  }
  EXPECT_FALSE(ExperimentSession::strategyUsesBlocks(QStringLiteral("custom")));
  EXPECT_FALSE(ExperimentSession::strategyUsesLowerLr(QStringLiteral("custom")));
}

TEST(ExperimentSession, SelectiveTransferKeepsItsOwnBlockCount) {
  auto session = makeSession();
  ASSERT_GE(session->blockCount(), 2);
  ASSERT_TRUE(session->setStrategy(QStringLiteral("partial_fine_tuning"), 2, 0.0));
  ASSERT_TRUE(session->setStrategy(QStringLiteral("selective_transfer"), 1, 0.0));
  EXPECT_EQ(session->strategyBlocks(), 1);
  EXPECT_EQ(session->transferredBlocks(), 1);
  EXPECT_EQ(session->topBlocks(), 2);
}

}  // namespace
}  // namespace tl
