// torchvision's architectures: every state-dict key and shape equals the
// files generated from python3-torchvision 0.14 (tools/torchvision-keys.py),
// so weights exported from PyTorch load by name.
#include "models/mobilenet_v2.h"
#include "models/model_zoo.h"
#include "models/named_tensors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace tl {
namespace {

const InputShape kImageNet{3, 224, 224};
const std::vector<std::string> kArchitectures{"resnet18", "resnet34", "resnet50", "mobilenet_v2"};

/// Lines "name d0,d1,..." of tests/data/torchvision/<arch>.keys.txt (a scalar
/// has an empty shape).
std::vector<std::string> torchvision_keys(const std::string& arch) {
  const std::string path = std::string(TL_TEST_DATA_DIR) + "/torchvision/" + arch + ".keys.txt";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> our_keys(const torch::nn::Module& model) {
  std::vector<std::string> lines;
  for (const auto& [name, t] : named_tensors(model)) {
    std::string shape;
    for (const int64_t d : t.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    lines.push_back(name + " " + shape);
  }
  return lines;
}

TEST(TorchvisionArchitectures, StateDictKeysAndShapesEqualTorchvision) {
  for (const auto& arch : kArchitectures) {
    const auto expected = torchvision_keys(arch);
    ASSERT_GT(expected.size(), 100u) << arch;
    const auto ours = our_keys(*make_model(arch, 1000, kImageNet));
    EXPECT_EQ(ours.size(), expected.size()) << arch;
    for (size_t i = 0; i < std::min(ours.size(), expected.size()); ++i) {
      ASSERT_EQ(ours[i], expected[i]) << arch << " key #" << i;
    }
  }
}

TEST(TorchvisionArchitectures, ParameterAndBufferListsHoldEveryKey) {
  // named_parameters + named_buffers, not only our state-dict view, carry the
  // names (num_batches_tracked included).
  for (const auto& arch : kArchitectures) {
    TransferModel model = make_model(arch, 1000, kImageNet);
    std::set<std::string> names;
    for (const auto& p : model->named_parameters()) names.insert(p.key());
    for (const auto& b : model->named_buffers()) names.insert(b.key());
    std::set<std::string> expected;
    for (const auto& line : torchvision_keys(arch)) expected.insert(line.substr(0, line.find(' ')));
    EXPECT_EQ(names, expected) << arch;
  }
}

TEST(TorchvisionArchitectures, ImageNetInputGivesOneThousandLogits) {
  torch::NoGradGuard no_grad;
  for (const auto& arch : kArchitectures) {
    TransferModel model = make_model(arch, 1000, kImageNet);
    model->eval();
    EXPECT_EQ(model->forward(torch::randn({1, 3, 224, 224})).sizes().vec(), (std::vector<int64_t>{1, 1000})) << arch;
  }
}

TEST(TorchvisionArchitectures, ParameterCountsEqualTorchvisionWithTenClasses) {
  // From python3-torchvision: sum of p.numel() of <arch>(num_classes=10).
  EXPECT_EQ(describe_architecture("resnet18").parameters, 11181642);
  EXPECT_EQ(describe_architecture("resnet34").parameters, 21289802);
  EXPECT_EQ(describe_architecture("resnet50").parameters, 23528522);
  EXPECT_EQ(describe_architecture("mobilenet_v2").parameters, 2236682);
  EXPECT_EQ(describe_architecture("resnet50").input.height, 224);
}

TEST(TorchvisionArchitectures, FlopsAgreeWithTorchvisionsPublishedFigures) {
  // torchvision's model cards: multiply-adds at 224x224 with 1000 classes,
  // GFLOPS 1.81 / 3.66 / 4.09 / 0.30; we count 2 per multiply-add.
  const std::vector<double> published{1.81, 3.66, 4.09, 0.30};
  for (size_t i = 0; i < kArchitectures.size(); ++i) {
    const double gmacs = make_model(kArchitectures[i], 1000, kImageNet)->flops_per_image() / 2e9;
    EXPECT_NEAR(gmacs, published[i], 0.01) << kArchitectures[i];
  }
}

TEST(MobileNetV2, BlocksAreStemSevenStagesAndLastConv) {
  const auto blocks = make_model("mobilenet_v2", 10)->blocks();
  ASSERT_EQ(blocks.size(), 9u);
  EXPECT_EQ(blocks[0].paths, std::vector<std::string>{"features.0"});
  EXPECT_EQ(blocks[2].name, "stage2");
  EXPECT_EQ(blocks[2].paths, (std::vector<std::string>{"features.2", "features.3"}));
  EXPECT_EQ(blocks[7].paths, std::vector<std::string>{"features.17"});
  EXPECT_EQ(blocks[8].paths, std::vector<std::string>{"features.18"});
}

TEST(MobileNetV2, RunBlocksInPiecesEqualsForward) {
  TransferModel model = make_model("mobilenet_v2", 5, InputShape{3, 64, 64});
  model->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 64, 64});
  auto h = model->run_blocks(x, 0, 3);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, 24, 16, 16}));
  h = model->run_blocks(h, 3, 9);
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, 1280}));
  EXPECT_TRUE(torch::allclose(model->head_forward(h), model->forward(x), 1e-5, 1e-6));
}

TEST(MobileNetV2, ReplaceHeadSwapsTheLinearAfterTheDropout) {
  TransferModel model = make_model("mobilenet_v2", 10);
  model->replace_head(4);
  const auto params = model->named_parameters();
  EXPECT_EQ(params["classifier.1.weight"].sizes().vec(), (std::vector<int64_t>{4, 1280}));
  EXPECT_EQ(model->num_classes(), 4);
  EXPECT_EQ(model->forward(torch::randn({2, 1, 28, 28})).sizes().vec(), (std::vector<int64_t>{2, 4}));
}

}  // namespace
}  // namespace tl
