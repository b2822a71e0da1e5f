#include "models/layer_tree.h"
#include "models/model_zoo.h"
#include "models/progressive_network.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

ProgressiveNetwork two_columns(const std::string& architecture) {
  torch::manual_seed(2);
  return ProgressiveNetwork(make_model(architecture, 10), make_model(architecture, 4));
}

class ProgressiveOnEachModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ProgressiveOnEachModel, RegistersBothColumnsAndTheLaterals) {
  auto net = two_columns(GetParam());
  auto plain = make_model(GetParam(), 4);
  const auto modules = net->named_modules("", /*include_self=*/false);
  for (const auto& item : plain->named_modules("", false)) {
    EXPECT_TRUE(modules.contains("source." + item.key())) << item.key();
    EXPECT_TRUE(modules.contains("target." + item.key())) << item.key();
  }
  for (int64_t i = 0; i + 1 < plain->num_blocks(); ++i) {
    EXPECT_TRUE(modules.contains("laterals." + std::to_string(i))) << i;
  }
  EXPECT_FALSE(modules.contains("laterals." + std::to_string(plain->num_blocks() - 1)));
  EXPECT_EQ(net->head_path(), "target." + plain->head_path());
  EXPECT_EQ(net->num_classes(), 4);
}

TEST_P(ProgressiveOnEachModel, BlocksAreTheTargetColumnsWithTheirLateralInputs) {
  auto net = two_columns(GetParam());
  auto plain = make_model(GetParam(), 4);
  const auto blocks = net->blocks();
  ASSERT_EQ(blocks.size(), plain->blocks().size());
  EXPECT_EQ(blocks[0].paths.front(), "target." + plain->blocks()[0].paths.front());
  EXPECT_EQ(blocks[1].paths.back(), "laterals.0");
}

TEST_P(ProgressiveOnEachModel, RunBlocksComposesAtEveryBoundary) {
  auto net = two_columns(GetParam());
  net->eval();
  const auto x = torch::randn({3, 1, 28, 28});
  const auto whole = net->forward(x);
  EXPECT_EQ(whole.sizes(), torch::IntArrayRef({3, 4}));
  for (int64_t k = 1; k < net->num_blocks(); ++k) {
    const auto split = net->head_forward(net->run_blocks(net->run_blocks(x, 0, k), k, net->num_blocks()));
    EXPECT_TRUE(torch::allclose(split, whole, 1e-5, 1e-6)) << "boundary " << k;
  }
}

TEST_P(ProgressiveOnEachModel, TheSourceColumnShapesTheTargetOutput) {
  auto net = two_columns(GetParam());
  net->eval();
  const auto x = torch::randn({2, 1, 28, 28});
  const auto before = net->forward(x);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->source->parameters()) p.mul_(2.0);
  }
  EXPECT_FALSE(torch::allclose(net->forward(x), before));
}

INSTANTIATE_TEST_SUITE_P(Zoo, ProgressiveOnEachModel, ::testing::Values("small_cnn", "resnet_narrow"));

TEST(ProgressiveNetwork, ColumnsOfDifferentArchitecturesAreRejected) {
  try {
    ProgressiveNetwork(make_model("small_cnn", 4), make_model("resnet_narrow", 4));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "progressive network: the columns differ in architecture (small_cnn and resnet_narrow)");
  }
}

TEST(ProgressiveNetwork, LayerTreeShowsBothColumns) {
  auto net = two_columns("small_cnn");
  bool source = false, target = false;
  for (const auto& info : layer_tree(*net)) {
    source = source || info.path == "source.features.0.0";
    target = target || info.path == "target.features.0.0";
  }
  EXPECT_TRUE(source);
  EXPECT_TRUE(target);
}

}  // namespace
}  // namespace tl
