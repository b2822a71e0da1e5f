#include "experiment/experiment_config.h"
#include "models/basic_block.h"
#include "models/conv_block.h"
#include "models/model_zoo.h"
#include "models/resnet.h"
#include "models/small_cnn.h"
#include "probe/probe_point.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

namespace tl {
namespace {

std::vector<std::string> layers_of(const std::vector<ProbePoint>& points) {
  std::vector<std::string> layers;
  for (const auto& p : points) layers.push_back(p.layer);
  return layers;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string probe_error(TransferModelImpl& model, const std::string& layer) {
  try {
    resolve_probe_point(model, layer);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

class ProbePointEveryArchitecture : public ::testing::TestWithParam<std::string> {};

TEST_P(ProbePointEveryArchitecture, BlockActivationsEqualRunBlocks) {
  torch::manual_seed(1);
  TransferModel model = make_model(GetParam(), 4);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({3, 1, 28, 28});
  const auto points = profile_points(*model);
  ASSERT_EQ(static_cast<int64_t>(points.size()), model->num_blocks() + 1);
  EXPECT_TRUE(probe_activations(*model, points.front(), x).equal(x));
  for (int64_t i = 0; i < model->num_blocks(); ++i) {
    const ProbePoint& p = points[i + 1];
    EXPECT_EQ(p.kind, ProbePoint::Kind::BlockOutput);
    EXPECT_EQ(p.block, model->blocks()[i].name);
    EXPECT_TRUE(probe_activations(*model, p, x).equal(model->run_blocks(x, 0, i + 1))) << p.layer;
    // A block is also found by its name.
    EXPECT_EQ(resolve_probe_point(*model, p.block).block_index, i);
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ProbePointEveryArchitecture, ::testing::Values("small_cnn", "resnet_narrow"));

TEST(ProbePoint, SmallCnnOffersEveryLayerInsideItsChainedBlocks) {
  TransferModel model = make_model("small_cnn", 4);
  const auto layers = layers_of(probe_points(*model));
  const std::vector<std::string> expected = {"input",        "features.0",   "features.0.0", "features.0.1",
                                             "features.0.2", "features.0.3", "features.1",   "features.1.0",
                                             "features.1.1", "features.1.2", "features.1.3", "features.2",
                                             "features.2.0", "features.2.1", "features.2.2", "features.2.3"};
  EXPECT_EQ(layers, expected);
}

TEST(ProbePoint, ChainLayerActivationsEqualRunningTheSubmodulesByHand) {
  torch::manual_seed(2);
  auto cnn = std::make_shared<SmallCnnImpl>(4);
  cnn->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 1, 28, 28});
  auto& block0 = cnn->features->at<ConvBlockImpl>(0);
  auto& block1 = cnn->features->at<ConvBlockImpl>(1);
  const auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(block1.ptr(0));
  const auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(block1.ptr(1));
  ASSERT_TRUE(conv && bn);
  const auto into_block1 = block0.forward(x);
  const auto conv_out = conv->forward(into_block1);
  const auto bn_out = bn->forward(conv_out);

  const ProbePoint p_conv = resolve_probe_point(*cnn, "features.1.0");
  EXPECT_EQ(p_conv.kind, ProbePoint::Kind::ChainLayer);
  EXPECT_EQ(p_conv.type, "Conv2d");
  EXPECT_TRUE(probe_activations(*cnn, p_conv, x).equal(conv_out));
  EXPECT_TRUE(probe_activations(*cnn, resolve_probe_point(*cnn, "features.1.1"), x).equal(bn_out));
  EXPECT_TRUE(probe_activations(*cnn, resolve_probe_point(*cnn, "features.1.2"), x).equal(torch::relu(bn_out)));
  // The first block's layers read the input directly.
  EXPECT_TRUE(probe_activations(*cnn, resolve_probe_point(*cnn, "features.0.0"), x)
                  .equal(std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(block0.ptr(0))->forward(x)));
}

TEST(ProbePoint, ResidualBlockInsideAStageIsProbedWholeAndItsInsidesAreNot) {
  torch::manual_seed(3);
  auto resnet = std::make_shared<ResNetImpl>();
  resnet->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 1, 28, 28});
  const auto stem = torch::relu(resnet->bn1->forward(resnet->conv1->forward(x)));
  const auto stage1 = resnet->stages[0]->forward(stem);
  const auto expected = resnet->stages[1]->at<BasicBlockImpl>(0).forward(stage1);
  const ProbePoint p = resolve_probe_point(*resnet, "layer2.0");
  EXPECT_EQ(p.type, "BasicBlock");
  EXPECT_TRUE(probe_activations(*resnet, p, x).equal(expected));

  const auto layers = layers_of(probe_points(*resnet));
  EXPECT_TRUE(contains(layers, "stem"));
  EXPECT_FALSE(contains(layers, "conv1"));
  EXPECT_FALSE(contains(layers, "layer2.0.conv1"));
}

TEST(ProbePoint, UnknownLayerIsAConfigErrorNamingProbeLayerAndTheValidOnes) {
  TransferModel model = make_model("resnet_narrow", 4);
  EXPECT_EQ(probe_error(*model, "layer9"),
            "probe.layer: no layer 'layer9' in resnet_narrow; layers that can be probed: input, stem, layer1, "
            "layer1.0, layer2, layer2.0, layer3, layer3.0, layer4, layer4.0");
}

TEST(ProbePoint, LayerInsideAResidualBlockSaysWhichModuleToProbeInstead) {
  TransferModel model = make_model("resnet_narrow", 4);
  const std::string message = probe_error(*model, "layer1.0.conv1");
  EXPECT_EQ(message.rfind("probe.layer: 'layer1.0.conv1' is inside layer1.0 (BasicBlock), whose output is not a "
                          "single chain of its children's outputs",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("probe layer1.0 itself"), std::string::npos);
}

TEST(ProbePoint, ModuleOfAMultiModuleBlockAsksForTheBlockName) {
  TransferModel model = make_model("resnet_narrow", 4);
  const std::string message = probe_error(*model, "bn1");
  EXPECT_EQ(message.rfind("probe.layer: 'bn1' is part of block 'stem' (conv1, bn1), whose output is not a chain "
                          "of these modules; probe the block as 'stem'",
                          0),
            0u)
      << message;
}

TEST(ProbePoint, TheHeadIsNotARepresentation) {
  TransferModel model = make_model("small_cnn", 4);
  EXPECT_EQ(probe_error(*model, "classifier").rfind("probe.layer: 'classifier' is the classifier head", 0), 0u);
}

TEST(BoundedFeatures, PoolsImageActivationsToTheFeatureBudget) {
  const auto a = torch::randn({2, 32, 14, 14});
  const auto f = bounded_features(a, 2048);  // 32·8·8 = 2048
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{2, 2048}));
  EXPECT_TRUE(f.allclose(torch::adaptive_avg_pool2d(a, {8, 8}).flatten(1)));
}

TEST(BoundedFeatures, KeepsActivationsThatFitAndNeverPoolsBelowOneCell) {
  const auto pixels = torch::randn({2, 1, 28, 28});
  EXPECT_TRUE(bounded_features(pixels, 2048).equal(pixels.flatten(1)));
  const auto wide = torch::randn({2, 4096, 2, 2});
  EXPECT_TRUE(bounded_features(wide, 2048).allclose(wide.mean({2, 3})));
  const auto flat = torch::randn({2, 128});
  EXPECT_TRUE(bounded_features(flat, 16).equal(flat));
}

}  // namespace
}  // namespace tl
