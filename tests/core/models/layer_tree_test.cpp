#include "models/layer_tree.h"
#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

TEST(LayerTree, ListsSmallCnnInPreOrder) {
  const auto tree = layer_tree(*make_model("small_cnn", 10), "small_cnn");
  std::vector<std::string> paths;
  std::vector<std::string> types;
  for (const auto& info : tree) {
    paths.push_back(info.path);
    types.push_back(info.type);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"", "features", "features.0", "features.0.0", "features.0.1",
                                             "features.0.2", "features.0.3", "features.1", "features.1.0",
                                             "features.1.1", "features.1.2", "features.1.3", "features.2",
                                             "features.2.0", "features.2.1", "features.2.2", "features.2.3",
                                             "classifier"}));
  EXPECT_EQ(types, (std::vector<std::string>{"SmallCnn", "Sequential", "ConvBlock", "Conv2d", "BatchNorm2d", "ReLU",
                                             "MaxPool2d", "ConvBlock", "Conv2d", "BatchNorm2d", "ReLU",
                                             "MaxPool2d", "ConvBlock", "Conv2d", "BatchNorm2d", "ReLU",
                                             "MaxPool2d", "Linear"}));
  EXPECT_EQ(tree[0].name, "small_cnn");
  EXPECT_EQ(tree[3].name, "0");
  EXPECT_EQ(tree[17].name, "classifier");
}

TEST(LayerTree, LinksParentsAndDepths) {
  const auto tree = layer_tree(*make_model("small_cnn", 10));
  EXPECT_EQ(tree[0].name, "model");
  EXPECT_EQ(tree[0].depth, 0);
  EXPECT_EQ(tree[0].parent, -1);
  EXPECT_EQ(tree[1].parent, 0);
  EXPECT_EQ(tree[7].path, "features.1");
  EXPECT_EQ(tree[7].parent, 1);
  EXPECT_EQ(tree[8].parent, 7);
  EXPECT_EQ(tree[8].depth, 3);
  EXPECT_EQ(tree[17].parent, 0);
  EXPECT_EQ(tree[17].depth, 1);
}

TEST(LayerTree, CountsOwnAndSubtreeParameters) {
  const auto tree = layer_tree(*make_model("small_cnn", 10));
  EXPECT_EQ(tree[0].own_parameters, 0);
  EXPECT_EQ(tree[0].subtree_parameters, 94186);
  EXPECT_EQ(tree[0].trainable_parameters, 94186);
  const LayerInfo& conv = tree[8];  // features.1.0
  EXPECT_EQ(conv.parameter_shapes, (std::vector<std::vector<int64_t>>{{64, 32, 3, 3}}));
  EXPECT_EQ(conv.own_parameters, 18432);
  const LayerInfo& bn = tree[9];  // features.1.1: weight and bias, buffers excluded
  EXPECT_EQ(bn.parameter_shapes, (std::vector<std::vector<int64_t>>{{64}, {64}}));
  EXPECT_EQ(bn.own_parameters, 128);
  EXPECT_EQ(tree[7].own_parameters, 0);
  EXPECT_EQ(tree[7].subtree_parameters, 18432 + 128);
  EXPECT_EQ(tree[17].parameter_shapes, (std::vector<std::vector<int64_t>>{{10, 128}, {10}}));
}

TEST(LayerTree, TrainableCountsFollowRequiresGrad) {
  TransferModel model = make_model("small_cnn", 10);
  for (auto& item : model->named_parameters()) {
    if (item.key().rfind("features.0.", 0) == 0 || item.key() == "classifier.bias") {
      item.value().set_requires_grad(false);
    }
  }
  const auto tree = layer_tree(*model);
  EXPECT_EQ(tree[0].trainable_parameters, 94186 - 288 - 64 - 10);
  EXPECT_EQ(tree[1].trainable_parameters, tree[1].subtree_parameters - 288 - 64);
  EXPECT_EQ(tree[2].trainable_parameters, 0);
  EXPECT_EQ(tree[2].subtree_parameters, 352);
  EXPECT_EQ(tree[7].trainable_parameters, 18432 + 128);
  EXPECT_EQ(tree[17].trainable_parameters, 1280);
}

TEST(LayerTree, ShowsResNetBlocksByTorchvisionNames) {
  const auto tree = layer_tree(*make_model("resnet_narrow", 10), "resnet_narrow");
  std::map<std::string, std::string> types;
  for (const auto& info : tree) types[info.path] = info.type;
  EXPECT_EQ(types.at(""), "ResNet");
  EXPECT_EQ(types.at("conv1"), "Conv2d");
  EXPECT_EQ(types.at("layer1"), "Sequential");
  EXPECT_EQ(types.at("layer1.0"), "BasicBlock");
  EXPECT_EQ(types.at("layer2.0.downsample"), "Sequential");
  EXPECT_EQ(types.at("layer2.0.downsample.1"), "BatchNorm2d");
  EXPECT_EQ(types.at("fc"), "Linear");
  EXPECT_EQ(types.count("layer1.0.downsample"), 0u);
  EXPECT_EQ(tree[1].path, "conv1");
  EXPECT_EQ(tree[2].path, "bn1");
  EXPECT_EQ(tree[3].path, "layer1");
  EXPECT_EQ(tree.back().path, "fc");
}

TEST(ModuleTypeName, StripsNamespacesAndImpl) {
  EXPECT_EQ(module_type_name(*torch::nn::Conv2d(1, 2, 3)), "Conv2d");
  EXPECT_EQ(module_type_name(*torch::nn::Sequential()), "Sequential");
  EXPECT_EQ(module_type_name(*torch::nn::Linear(1, 2)), "Linear");
}

}  // namespace
}  // namespace tl
