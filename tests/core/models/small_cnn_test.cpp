#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "models/small_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace tl {
namespace {

TEST(SmallCnn, ForwardGivesOneLogitPerClassForFashionMnistImages) {
  TransferModel model = make_model("small_cnn", 10);
  const auto logits = model->forward(torch::randn({4, 1, 28, 28}));
  EXPECT_EQ(logits.sizes().vec(), (std::vector<int64_t>{4, 10}));
  EXPECT_EQ(model->architecture(), "small_cnn");
  EXPECT_EQ(model->num_classes(), 10);
  EXPECT_EQ(model->feature_dim(), 128);
  EXPECT_EQ(model->head_path(), "classifier");
}

TEST(SmallCnn, HonoursTheInputShape) {
  TransferModel model = make_model("small_cnn", 3, InputShape{3, 32, 40});
  EXPECT_EQ(model->forward(torch::randn({2, 3, 32, 40})).sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(model->input_shape().channels, 3);
  EXPECT_EQ(model->input_shape().width, 40);
}

TEST(SmallCnn, RejectsImagesTooSmallForThreePoolings) {
  try {
    SmallCnn model(10, InputShape{1, 7, 28});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "small_cnn needs images of at least 8x8 pixels, got 7x28");
  }
}

TEST(SmallCnn, RejectsZeroClasses) {
  try {
    make_model("small_cnn", 0);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "small_cnn needs at least 1 class, got 0");
  }
}

TEST(SmallCnn, HasTorchvisionStyleStateDictKeys) {
  std::vector<std::string> expected;
  for (int block = 0; block < 3; ++block) {
    const std::string p = "features." + std::to_string(block);
    for (const char* key : {".0.weight", ".1.weight", ".1.bias", ".1.running_mean", ".1.running_var",
                            ".1.num_batches_tracked"}) {
      expected.push_back(p + key);
    }
  }
  expected.push_back("classifier.weight");
  expected.push_back("classifier.bias");
  std::vector<std::string> actual;
  for (const auto& item : named_tensors(*make_model("small_cnn", 10))) actual.push_back(item.first);
  EXPECT_EQ(actual, expected);
}

TEST(SmallCnn, BlocksAreTheThreeConvBlocks) {
  const auto blocks = make_model("small_cnn", 10)->blocks();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].name, "block1");
  EXPECT_EQ(blocks[0].paths, std::vector<std::string>{"features.0"});
  EXPECT_EQ(blocks[2].name, "block3");
  EXPECT_EQ(blocks[2].paths, std::vector<std::string>{"features.2"});
}

TEST(SmallCnn, ParameterCountMatchesHandCount) {
  // convs 1*32*9 + 32*64*9 + 64*128*9, BN 2*(32+64+128), classifier 128*10+10
  const int64_t expected = 288 + 18432 + 73728 + 2 * (32 + 64 + 128) + 1290;
  EXPECT_EQ(expected, 94186);
  EXPECT_EQ(count_parameters(*make_model("small_cnn", 10)), expected);
}

TEST(SmallCnn, FlopsMatchHandComputation) {
  // 28x28: 32*28*28*1*9; pool → 14: 64*14*14*32*9; pool → 7: 128*7*7*64*9; linear 128*10.
  const int64_t multiply_adds = 32 * 28 * 28 * 1 * 9 + 64 * 14 * 14 * 32 * 9 + 128 * 7 * 7 * 64 * 9 + 128 * 10;
  EXPECT_EQ(make_model("small_cnn", 10)->flops_per_image(), 2 * multiply_adds);
  EXPECT_EQ(2 * multiply_adds, 14904832);
}

TEST(SmallCnn, FlopsFollowTheInputShape) {
  // 3x30x30: 30 → 15 → 7 (floor), 5 classes.
  const int64_t multiply_adds = 32 * 30 * 30 * 3 * 9 + 64 * 15 * 15 * 32 * 9 + 128 * 7 * 7 * 64 * 9 + 128 * 5;
  EXPECT_EQ(make_model("small_cnn", 5, InputShape{3, 30, 30})->flops_per_image(), 2 * multiply_adds);
}

TEST(SmallCnn, ConvolutionsAreKaimingInitialisedAndBatchNormIsIdentity) {
  torch::manual_seed(0);
  SmallCnn model(10);
  const auto params = model->named_parameters();
  // kaiming_normal_ fan_out, ReLU gain: std = sqrt(2 / (64 * 3 * 3))
  EXPECT_NEAR(params["features.1.0.weight"].std().item<double>(), std::sqrt(2.0 / (64 * 9)), 0.01);
  EXPECT_TRUE(torch::equal(params["features.1.1.weight"], torch::ones({64})));
  EXPECT_TRUE(torch::equal(params["features.1.1.bias"], torch::zeros({64})));
}

}  // namespace
}  // namespace tl
