#include "weights/checkpoint.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

TEST(CheckpointMetadata, JsonRoundTripKeepsEveryField) {
  CheckpointMetadata m;
  m.architecture = "small_cnn";
  m.input = InputShape{3, 32, 30};
  m.source_task = "Fashion-MNIST classes 0-4";
  m.class_names = {"a", "b"};
  m.training_images = 1234;
  m.source_accuracy = 0.75;
  m.seed = 99;
  m.created = "2024-01-02T03:04:05Z";
  m.license = "MIT";
  m.normalization_mean = {0.5, 0.25};
  m.normalization_std = {0.1, 0.2};
  m.extra = {{"epochs", 3}};
  const nlohmann::json j = m.to_json();
  EXPECT_EQ(j["input"], (nlohmann::json{{"channels", 3}, {"height", 32}, {"width", 30}}));
  EXPECT_EQ(j["class_names"], (nlohmann::json{"a", "b"}));
  const CheckpointMetadata back = CheckpointMetadata::from_json(j);
  EXPECT_EQ(back.to_json(), j);
  EXPECT_EQ(back.input.width, 30);
  EXPECT_EQ(back.seed, 99u);
}

TEST(CheckpointMetadata, MissingOptionalFieldsGetDefaults) {
  const CheckpointMetadata m = CheckpointMetadata::from_json({{"architecture", "resnet_narrow"}});
  const CheckpointMetadata defaults;
  EXPECT_EQ(m.architecture, "resnet_narrow");
  EXPECT_EQ(m.input.channels, 1);
  EXPECT_EQ(m.input.height, 28);
  EXPECT_TRUE(m.class_names.empty());
  EXPECT_EQ(m.training_images, 0);
  EXPECT_EQ(m.license, defaults.license);
  EXPECT_EQ(m.extra, nlohmann::json::object());
  const CheckpointMetadata partial =
      CheckpointMetadata::from_json({{"architecture", "small_cnn"}, {"input", {{"channels", 3}}}});
  EXPECT_EQ(partial.input.channels, 3);
  EXPECT_EQ(partial.input.width, 28);
}

TEST(CheckpointMetadata, MissingArchitectureIsAnError) {
  try {
    CheckpointMetadata::from_json({{"source_task", "x"}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "checkpoint metadata: missing \"architecture\"");
  }
}

TEST(CheckpointMetadata, WrongTypeNamesTheField) {
  try {
    CheckpointMetadata::from_json({{"architecture", "small_cnn"}, {"seed", "seven"}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "checkpoint metadata: \"seed\" has the wrong type (string)");
  }
}

}  // namespace
}  // namespace tl
