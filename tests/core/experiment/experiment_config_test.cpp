#include "support/config_error.h"
#include "support/test_dir.h"
#include "experiment/experiment_config.h"
#include "models/model_zoo.h"
#include "transfer/plan_edits.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

using test::config_error;

using nlohmann::json;

TEST(ExperimentConfig, DefaultsFillEveryField) {
  const auto c = config_from_json(json::object());
  EXPECT_EQ(c.training.batch_size, 64);
  EXPECT_EQ(c.transfer.similarity, Similarity::Moderate);
  EXPECT_EQ(c.resolved_strategy().strategy, Strategy::PartialFineTuning);
  EXPECT_TRUE(c.target.classes.empty());
}

TEST(ExperimentConfig, SimilarityPicksTheDefaultStrategyUnlessOneIsGiven) {
  EXPECT_EQ(config_from_json({{"transfer", {{"similarity", "high"}}}}).resolved_strategy().strategy,
            Strategy::FeatureExtraction);
  EXPECT_EQ(config_from_json({{"transfer", {{"similarity", "low"}}}}).resolved_strategy().strategy,
            Strategy::LayerReplacement);
  EXPECT_EQ(config_from_json({{"transfer", {{"similarity", "low"}, {"strategy", "full_fine_tuning"}}}})
                .resolved_strategy()
                .strategy,
            Strategy::FullFineTuning);
}

TEST(ExperimentConfig, RoundTripsThroughJson) {
  json j = {{"name", "demo"},
            {"model", {{"pretrained", "small_cnn-fmnist0-4"}}},
            {"target",
             {{"classes", {5, 6, 7}},
              {"shots_per_class", 10},
              {"shift", {{"kind", "rotation"}, {"strength", 0.25}}},
              {"mismatch", {{"swaps", {{0, 1}}}, {"merges", {{1, 2}}}, {"label_noise", 0.1}}}}},
            {"transfer",
             {{"strategy", "partial_fine_tuning"},
              {"top_blocks", 2},
              {"layers", {{"features.0", {{"trainable", true}, {"lr_multiplier", 0.1}}}}}}},
            {"training", {{"epochs", 3}, {"optimizer", "adam"}, {"learning_rate", 0.001}}},
            {"lesson", "kept as extra"}};
  const auto c = config_from_json(j);
  EXPECT_EQ(c.target.shift.kind, ShiftKind::Rotation);
  EXPECT_EQ(c.transfer.layers.at("features.0").lr_multiplier, 0.1);
  EXPECT_EQ(c.extra.at("lesson"), "kept as extra");
  const auto again = config_from_json(config_to_json(c));
  EXPECT_EQ(config_to_json(again), config_to_json(c));
  EXPECT_EQ(again.training.optimizer, OptimizerKind::Adam);
  EXPECT_EQ(again.target.mismatch.swaps.size(), 1u);
}

TEST(ConfigError, CarriesTheFieldBesideTheMessage) {
  const ConfigError e("transfer.layers.x", "no such layer in small_cnn");
  EXPECT_STREQ(e.what(), "transfer.layers.x: no such layer in small_cnn");
  EXPECT_EQ(e.field(), "transfer.layers.x");
  const ConfigError in_file = e.in_file("lab.json");
  EXPECT_STREQ(in_file.what(), "lab.json: transfer.layers.x: no such layer in small_cnn");
  EXPECT_EQ(in_file.field(), "transfer.layers.x");
  EXPECT_EQ(ConfigError("lab.json: cannot open the config file").field(), "");
}

TEST(ConfigError, ParsingNamesTheFieldAlsoInAFile) {
  const auto field_of = [](auto&& action) {
    try {
      action();
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of([] { config_from_json({{"transfer", {{"strategy", "fine_tune"}}}}); }), "transfer.strategy");
  EXPECT_EQ(field_of([] { config_from_json({{"target", {{"dataset", "image-folder"}}}}); }), "target.folder");
  EXPECT_EQ(field_of([] { parse_config(R"({"training": {"optimizer": "rmsprop"}})", "lab.json"); }),
            "training.optimizer");
}

TEST(FreezePlanFor, IsTheStrategyAndEditsWithAProgressiveSourceColumnFrozen) {
  const auto holder = make_model("small_cnn", 3);
  const TransferModelImpl& model = *holder;
  ExperimentConfig c;
  c.transfer.strategy = Strategy::FeatureExtraction;
  c.transfer.layers["features.2"] = {true, 0.5};
  const FreezePlan plan = freeze_plan_for(c, model);
  EXPECT_EQ(plan, freeze_plan_for(c.resolved_strategy(), c.transfer.layers, model));
  EXPECT_TRUE(plan.setting_for("features.2.0.weight").trainable);
  c.mitigations.progressive = true;
  EXPECT_FALSE(freeze_plan_for(c, model).setting_for("source.features.0.0.weight").trainable);
}

TEST(FreezePlanFor, ReportsAnUnknownLayerOrBlockCountAsAConfigErrorNamingTheField) {
  const auto holder = make_model("small_cnn", 3);
  const TransferModelImpl& model = *holder;
  ExperimentConfig c;
  c.transfer.layers["features.9"] = {false, 1.0};
  try {
    freeze_plan_for(c, model);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "transfer.layers.features.9: no such layer in small_cnn (see `transferlab-cli layers`)");
    EXPECT_EQ(e.field(), "transfer.layers.features.9");
  }
  c.transfer.layers.clear();
  c.transfer.strategy = Strategy::PartialFineTuning;
  c.transfer.options.top_blocks = 9;
  try {
    freeze_plan_for(c, model);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "transfer.top_blocks: expected 1..3 for partial_fine_tuning, got 9");
    EXPECT_EQ(e.field(), "transfer.top_blocks");
  }
}

TEST(ExperimentConfig, BadValuesNameTheFieldAndWhatWasExpected) {
  EXPECT_EQ(config_error({{"training", {{"batch_size", 0}}}}),
            "training.batch_size: expected an integer in 1..65536, got 0");
  EXPECT_EQ(config_error({{"training", {{"epochs", "five"}}}}),
            "training.epochs: expected an integer in 1..10000, got \"five\"");
  EXPECT_EQ(config_error({{"training", {{"learning_rate", -1}}}}),
            "training.learning_rate: expected a number in [1e-09, 10], got -1");
  EXPECT_EQ(config_error({{"target", {{"classes", json::array()}}}}),
            "target.classes: expected at least two classes, got []");
  EXPECT_EQ(config_error({{"target", {{"classes", {1, 12}}}}}),
            "target.classes: expected a list of integers in 0..9, got [1,12]");
  EXPECT_EQ(config_error({{"target", {{"shift", {{"kind", "swirl"}}}}}}),
            "target.shift.kind: unknown domain shift 'swirl': expected one of none, rotation, inversion, noise, "
            "blur, texture, permutation");
  EXPECT_EQ(config_error({{"transfer", {{"strategy", 3}}}}), "transfer.strategy: expected a string, got 3");
  EXPECT_EQ(config_error({{"training", {{"optimiser", "sgd"}}}}),
            "training.optimiser: unknown field (expected one of epochs, batch_size, learning_rate, optimizer, "
            "momentum, weight_decay, seed, threads, cache_frozen_features)");
  EXPECT_EQ(config_error({{"training", 5}}), "training: expected an object, got 5");
  EXPECT_EQ(config_error({{"transfer", {{"layers", {{"fc", {{"trainable", "yes"}}}}}}}}),
            "transfer.layers.fc.trainable: expected true or false, got \"yes\"");
}

TEST(ExperimentConfig, LoadConfigNamesTheFile) {
  const test::TestDir dir;
  const std::string bad_json = dir.path("bad.json");
  test::write_file(bad_json, "{\"name\": ");
  try {
    load_config(bad_json);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), bad_json + ": not valid JSON (byte 10)");
  }
  const std::string bad_field = dir.path("field.json");
  test::write_file(bad_field, R"({"training": {"batch_size": 0}})");
  try {
    load_config(bad_field);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), bad_field + ": training.batch_size: expected an integer in 1..65536, got 0");
  }
  EXPECT_THROW(load_config(dir.path("missing.json")), ConfigError);
}

}  // namespace
}  // namespace tl
