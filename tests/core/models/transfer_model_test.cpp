#include "models/model_checks.h"
#include "models/model_zoo.h"
#include "models/named_tensors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>

namespace tl {
namespace {

std::map<std::string, torch::Tensor> copies_of(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : named_tensors(module)) out[name] = t.detach().clone();
  return out;
}

/// Moves every parameter and buffer away from its initial value.
void perturb(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : named_tensors(module)) t.add_(3);
}

TEST(TransferModel, ForwardEqualsHeadOfAllBlocks) {
  for (const auto& name : architecture_names()) {
    TransferModel model = make_model(name, 10);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({2, 1, 28, 28});
    auto h = x;
    for (int64_t i = 0; i < model->num_blocks(); ++i) h = model->run_blocks(h, i, i + 1);
    EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{2, model->feature_dim()})) << name;
    EXPECT_TRUE(torch::allclose(model->head_forward(h), model->forward(x), 1e-5, 1e-6)) << name;
  }
}

TEST(TransferModel, ReplaceHeadChangesOnlyTheHead) {
  for (const auto& name : architecture_names()) {
    TransferModel model = make_model(name, 10);
    const auto before = copies_of(*model);
    model->replace_head(3);
    const auto after = copies_of(*model);
    EXPECT_EQ(model->num_classes(), 3) << name;
    EXPECT_EQ(model->forward(torch::randn({2, 1, 28, 28})).sizes().vec(), (std::vector<int64_t>{2, 3})) << name;
    EXPECT_EQ(after.size(), before.size()) << name;
    for (const auto& [key, t] : after) {
      if (is_under_path(key, model->head_path())) {
        EXPECT_EQ(t.size(0), 3) << key;
      } else {
        EXPECT_TRUE(torch::equal(t, before.at(key))) << key;
      }
    }
    // The new head is registered: the parameter list holds it, not the old one.
    const auto params = model->named_parameters();
    EXPECT_EQ(params[model->head_path() + ".weight"].sizes().vec(), (std::vector<int64_t>{3, model->feature_dim()}));
  }
}

TEST(TransferModel, ResetModuleRestoresFreshWeightsOnlyUnderThePath) {
  TransferModel model = make_model("small_cnn", 10);
  perturb(*model);
  const auto before = copies_of(*model);
  torch::manual_seed(42);
  const auto fresh = copies_of(*make_model("small_cnn", 10));
  torch::manual_seed(42);
  model->reset_module("features.1");
  const auto after = copies_of(*model);
  for (const auto& [key, t] : after) {
    if (is_under_path(key, "features.1")) {
      EXPECT_TRUE(torch::equal(t, fresh.at(key))) << key;
    } else {
      EXPECT_TRUE(torch::equal(t, before.at(key))) << key;
    }
  }
  EXPECT_EQ(after.at("features.1.1.num_batches_tracked").item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(after.at("features.1.1.running_var"), torch::ones({64})));
}

TEST(TransferModel, ResetModuleDrawsFromTheGlobalRng) {
  TransferModel model = make_model("resnet_narrow", 10);
  torch::manual_seed(1);
  model->reset_module("layer3");
  const auto first = model->named_parameters()["layer3.0.conv1.weight"].clone();
  torch::manual_seed(1);
  model->reset_module("layer3");
  EXPECT_TRUE(torch::equal(model->named_parameters()["layer3.0.conv1.weight"], first));
  torch::manual_seed(2);
  model->reset_module("layer3");
  EXPECT_FALSE(torch::equal(model->named_parameters()["layer3.0.conv1.weight"], first));
}

TEST(TransferModel, ResetModuleWorksOnAReplacedHead) {
  TransferModel model = make_model("resnet_narrow", 10);
  model->replace_head(4);
  perturb(*model);
  model->reset_module("fc");
  EXPECT_TRUE(model->named_parameters()["fc.bias"].abs().max().item<float>() <= 1.0f / std::sqrt(128.0f));
}

TEST(TransferModel, ResetModuleKeepsTrainability) {
  TransferModel model = make_model("small_cnn", 10);
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  model->reset_module("features.0");
  for (const auto& p : model->parameters()) EXPECT_FALSE(p.requires_grad());
}

TEST(TransferModel, ResetModuleOfUnknownPathNamesIt) {
  TransferModel model = make_model("small_cnn", 10);
  try {
    model->reset_module("features.9");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "no layer 'features.9' in small_cnn");
  }
}

/// An architecture the zoo does not know: reset falls back to initialising in place.
class TinyNetImpl : public TransferModelImpl {
 public:
  TinyNetImpl()
      : TransferModelImpl("tiny_net"),
        conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).bias(false)))),
        bn(register_module("bn", torch::nn::BatchNorm2d(4))),
        fc(register_module("fc", torch::nn::Linear(4, 2))) {}
  std::vector<Block> blocks() const override { return {{"body", {"conv", "bn"}}}; }
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override {
    if (first == last) return x;
    return torch::adaptive_avg_pool2d(bn(conv(x)), {1, 1}).flatten(1);
  }
  torch::Tensor head_forward(torch::Tensor f) override { return fc(f); }
  std::string head_path() const override { return "fc"; }
  void replace_head(int64_t) override {}
  int64_t num_classes() const override { return 2; }
  int64_t feature_dim() const override { return 4; }
  InputShape input_shape() const override { return {}; }
  int64_t flops_per_image() const override { return 0; }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
  torch::nn::Linear fc;
};

TEST(TransferModel, ResetModuleOfAnUnknownArchitectureReinitialisesInPlace) {
  auto model = std::make_shared<TinyNetImpl>();
  perturb(*model);
  const auto conv_before = model->conv->weight.clone();
  const auto fc_before = model->fc->weight.clone();
  model->reset_module("bn");
  EXPECT_TRUE(torch::equal(model->bn->weight, torch::ones({4})));
  EXPECT_TRUE(torch::equal(model->bn->bias, torch::zeros({4})));
  EXPECT_TRUE(torch::equal(model->bn->running_mean, torch::zeros({4})));
  EXPECT_TRUE(torch::equal(model->conv->weight, conv_before));
  model->reset_module("");
  EXPECT_FALSE(torch::equal(model->conv->weight, conv_before));
  EXPECT_FALSE(torch::equal(model->fc->weight, fc_before));
}

TEST(TransferModel, CountParametersCountsEveryElement) {
  torch::nn::Linear linear(5, 3);
  EXPECT_EQ(count_parameters(*linear), 18);
  torch::nn::Sequential seq(torch::nn::Linear(5, 3), torch::nn::BatchNorm1d(3));
  EXPECT_EQ(count_parameters(*seq), 24);
}

}  // namespace
}  // namespace tl
