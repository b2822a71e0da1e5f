#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "models/resnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace tl {
namespace {

std::vector<std::string> bn(const std::string& p) {
  return {p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var", p + ".num_batches_tracked"};
}

/// torchvision's state_dict keys of resnet_narrow, in PyTorch's order.
const std::vector<std::string>& resnet_narrow_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k{"conv1.weight"};
    auto add = [&k](const std::vector<std::string>& more) { k.insert(k.end(), more.begin(), more.end()); };
    add(bn("bn1"));
    for (int stage = 1; stage <= 4; ++stage) {
      const std::string b = "layer" + std::to_string(stage) + ".0";
      k.push_back(b + ".conv1.weight");
      add(bn(b + ".bn1"));
      k.push_back(b + ".conv2.weight");
      add(bn(b + ".bn2"));
      if (stage > 1) {
        k.push_back(b + ".downsample.0.weight");
        add(bn(b + ".downsample.1"));
      }
    }
    k.push_back("fc.weight");
    k.push_back("fc.bias");
    return k;
  }();
  return keys;
}

std::vector<std::string> keys_of(const torch::nn::Module& module) {
  std::vector<std::string> keys;
  for (const auto& item : named_tensors(module)) keys.push_back(item.first);
  return keys;
}

TEST(ResNetNarrow, ForwardGivesOneLogitPerClass) {
  TransferModel model = make_model("resnet_narrow", 7);
  EXPECT_EQ(model->forward(torch::randn({3, 1, 28, 28})).sizes().vec(), (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(model->feature_dim(), 128);
  EXPECT_EQ(model->head_path(), "fc");
}

TEST(ResNetNarrow, HonoursTheInputShape) {
  TransferModel model = make_model("resnet_narrow", 4, InputShape{3, 20, 24});
  EXPECT_EQ(model->forward(torch::randn({2, 3, 20, 24})).sizes().vec(), (std::vector<int64_t>{2, 4}));
}

TEST(ResNetNarrow, HasTorchvisionStateDictKeys) {
  EXPECT_EQ(keys_of(*make_model("resnet_narrow", 10)), resnet_narrow_keys());
  EXPECT_EQ(resnet_narrow_keys().size(), 1u + 5 + 4 * 12 + 3 * 6 + 2);  // conv1, bn1, stages, downsamples, fc
}

TEST(ResNetNarrow, HasTorchvisionShapes) {
  TransferModel model = make_model("resnet_narrow", 10);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, t] : named_tensors(*model)) shapes[name] = t.sizes().vec();
  EXPECT_EQ(shapes["conv1.weight"], (std::vector<int64_t>{16, 1, 3, 3}));
  EXPECT_EQ(shapes["layer1.0.conv2.weight"], (std::vector<int64_t>{16, 16, 3, 3}));
  EXPECT_EQ(shapes["layer2.0.conv1.weight"], (std::vector<int64_t>{32, 16, 3, 3}));
  EXPECT_EQ(shapes["layer2.0.downsample.0.weight"], (std::vector<int64_t>{32, 16, 1, 1}));
  EXPECT_EQ(shapes["layer4.0.bn2.running_var"], (std::vector<int64_t>{128}));
  EXPECT_EQ(shapes["fc.weight"], (std::vector<int64_t>{10, 128}));
  EXPECT_EQ(shapes["bn1.num_batches_tracked"], (std::vector<int64_t>{}));
}

TEST(ResNetNarrow, BlocksAreStemAndFourStages) {
  const auto blocks = make_model("resnet_narrow", 10)->blocks();
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[0].name, "stem");
  EXPECT_EQ(blocks[0].paths, (std::vector<std::string>{"conv1", "bn1"}));
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(blocks[i].name, "layer" + std::to_string(i));
    EXPECT_EQ(blocks[i].paths, std::vector<std::string>{"layer" + std::to_string(i)});
  }
}

TEST(ResNetNarrow, ParameterCountMatchesHandCount) {
  const int64_t stem = 1 * 16 * 9 + 2 * 16;
  const int64_t layer1 = 2 * (16 * 16 * 9 + 2 * 16);
  auto stage = [](int64_t in, int64_t out) { return in * out * 9 + out * out * 9 + in * out + 3 * 2 * out; };
  const int64_t fc = 128 * 10 + 10;
  const int64_t expected = stem + layer1 + stage(16, 32) + stage(32, 64) + stage(64, 128) + fc;
  EXPECT_EQ(expected, 308538);
  EXPECT_EQ(count_parameters(*make_model("resnet_narrow", 10)), expected);
}

TEST(ResNetNarrow, FlopsMatchHandComputation) {
  // Spatial sizes: stem and layer1 28x28, layer2 14x14, layer3 7x7, layer4 4x4.
  const int64_t stem = 16 * 28 * 28 * 1 * 9;
  const int64_t layer1 = 2 * (16 * 28 * 28 * 16 * 9);
  const int64_t layer2 = 32 * 14 * 14 * (16 * 9 + 32 * 9 + 16);
  const int64_t layer3 = 64 * 7 * 7 * (32 * 9 + 64 * 9 + 32);
  const int64_t layer4 = 128 * 4 * 4 * (64 * 9 + 128 * 9 + 64);
  const int64_t fc = 128 * 10;
  const int64_t expected = 2 * (stem + layer1 + layer2 + layer3 + layer4 + fc);
  EXPECT_EQ(expected, 26033152);
  EXPECT_EQ(make_model("resnet_narrow", 10)->flops_per_image(), expected);
}

TEST(ResNetNarrow, RunBlocksInPiecesEqualsForward) {
  TransferModel model = make_model("resnet_narrow", 10);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 1, 28, 28});
  const auto full = model->forward(x);
  auto h = model->run_blocks(x, 0, 2);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, 16, 28, 28}));
  h = model->run_blocks(h, 2, 4);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, 64, 7, 7}));
  h = model->run_blocks(h, 4, 5);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, 128}));
  EXPECT_TRUE(torch::allclose(model->head_forward(h), full, 1e-5, 1e-6));
  EXPECT_TRUE(torch::equal(model->run_blocks(x, 1, 1), x));
}

TEST(ResNetNarrow, RunBlocksRejectsRangesOutsideTheModel) {
  TransferModel model = make_model("resnet_narrow", 10);
  try {
    model->run_blocks(torch::randn({1, 1, 28, 28}), 2, 6);
    FAIL() << "expected an exception";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "resnet_narrow: block range [2, 6) is not within [0, 5]");
  }
}

TEST(ResNet, BuildsTorchvisionBottleneckNamesAndImageNetStem) {
  ResNetOptions options;
  options.architecture = "resnet_tiny_bottleneck";
  options.block = ResidualBlockKind::Bottleneck;
  options.layers = {2, 1};
  options.widths = {8, 16};
  options.stem = ResNetStem::ImageNet;
  options.num_classes = 3;
  options.input = InputShape{3, 32, 32};
  ResNet model(options);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, t] : named_tensors(*model)) shapes[name] = t.sizes().vec();
  EXPECT_EQ(shapes["conv1.weight"], (std::vector<int64_t>{8, 3, 7, 7}));
  EXPECT_EQ(shapes["layer1.0.conv1.weight"], (std::vector<int64_t>{8, 8, 1, 1}));
  EXPECT_EQ(shapes["layer1.0.conv3.weight"], (std::vector<int64_t>{32, 8, 1, 1}));
  EXPECT_EQ(shapes["layer1.0.downsample.0.weight"], (std::vector<int64_t>{32, 8, 1, 1}));
  EXPECT_EQ(shapes["layer1.1.conv1.weight"], (std::vector<int64_t>{8, 32, 1, 1}));
  EXPECT_EQ(shapes.count("layer1.1.downsample.0.weight"), 0u);
  EXPECT_EQ(shapes["layer2.0.conv2.weight"], (std::vector<int64_t>{16, 16, 3, 3}));
  EXPECT_EQ(shapes["fc.weight"], (std::vector<int64_t>{3, 64}));
  EXPECT_EQ(model->forward(torch::randn({2, 3, 32, 32})).sizes().vec(), (std::vector<int64_t>{2, 3}));

  // 32 → stem conv 16 → max pool 8; layer1 at 8x8; layer2 conv2 stride 2 → 4x4.
  const int64_t stem = 8 * 16 * 16 * 3 * 49;
  const int64_t layer1_0 = 64 * (8 * 8 + 8 * 8 * 9 + 32 * 8 + 32 * 8);
  const int64_t layer1_1 = 64 * (8 * 32 + 8 * 8 * 9 + 32 * 8);
  const int64_t layer2_0 = 64 * 16 * 32 + 16 * (16 * 16 * 9 + 64 * 16 + 64 * 32);
  EXPECT_EQ(model->flops_per_image(), 2 * (stem + layer1_0 + layer1_1 + layer2_0 + 64 * 3));
}

TEST(ResNet, RejectsMismatchedStageLists) {
  ResNetOptions options;
  options.widths = {16, 32};
  try {
    ResNet model(options);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "resnet_narrow: needs as many stage widths as stages, got 2 widths for 4 stages");
  }
}

}  // namespace
}  // namespace tl
