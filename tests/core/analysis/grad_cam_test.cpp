#include "analysis/grad_cam.h"

#include "experiment/experiment_config.h"
#include "models/conv_block.h"
#include "models/model_zoo.h"
#include "models/small_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

namespace F = torch::nn::functional;

/// A model only the left half of the image reaches: the right half is zeroed
/// before the first layer. Its layers see 2x2 patches (stride 2) and single
/// positions, so an activation on the right is exactly 0, and its head
/// weights are positive, so the maps have something to show.
class LeftHalfNetImpl : public TransferModelImpl {
 public:
  LeftHalfNetImpl() : TransferModelImpl("left_half_net") {
    features = register_module("features", torch::nn::ModuleList());
    features->push_back(torch::nn::Sequential(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 8, 2).stride(2).bias(false)), torch::nn::ReLU()));
    features->push_back(
        torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 16, 1).bias(false)), torch::nn::ReLU()));
    classifier = register_module("classifier", torch::nn::Linear(16, 3));
    torch::NoGradGuard no_grad;
    classifier->weight.abs_();
  }
  std::vector<Block> blocks() const override { return {{"block1", {"features.0"}}, {"block2", {"features.1"}}}; }
  torch::Tensor run_blocks(torch::Tensor x, int64_t first, int64_t last) override {
    if (first == 0) {
      auto mask = torch::ones_like(x);
      mask.narrow(3, x.size(3) / 2, x.size(3) - x.size(3) / 2).zero_();
      x = x * mask;
    }
    for (int64_t i = first; i < last; ++i) x = features[i]->as<torch::nn::Sequential>()->forward(x);
    return x;
  }
  torch::Tensor head_forward(torch::Tensor f) override { return classifier->forward(f.mean({2, 3})); }
  std::string head_path() const override { return "classifier"; }
  void replace_head(int64_t) override {}
  int64_t num_classes() const override { return 3; }
  int64_t feature_dim() const override { return 16; }
  InputShape input_shape() const override { return {}; }
  int64_t flops_per_image() const override { return 0; }

  torch::nn::ModuleList features{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(LeftHalfNet);

double left_share(const torch::Tensor& map) {
  const int64_t half = map.size(-1) / 2;
  return map.narrow(-1, 0, half).sum().item<double>() / map.sum().item<double>();
}

TEST(GradCam, OnAModelThatSeesOnlyTheLeftHalfTheMapIsOnTheLeft) {
  torch::manual_seed(1);
  LeftHalfNet model;
  const auto images = torch::rand({4, 1, 28, 28});
  const GradCam cam = grad_cam(*model, images, torch::tensor({0, 1, 2, 0}, torch::kLong));
  EXPECT_EQ(cam.layer, "features.1.1");
  ASSERT_EQ(cam.maps.sizes(), (std::vector<int64_t>{4, 28, 28}));
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_GE(left_share(cam.maps[i]), 0.9) << "image " << i;
    EXPECT_NEAR(cam.maps[i].max().item<double>(), 1.0, 1e-6);
  }
  // The block before, read from its block output, too.
  const GradCam first = grad_cam(*model, images, {}, "features.0");
  for (int64_t i = 0; i < 4; ++i) EXPECT_GE(left_share(first.maps[i]), 0.9) << "image " << i;
}

/// Grad-CAM written out with plain autograd on small_cnn: run the layers up
/// to child `child` of block `block` by hand, take that activation as a leaf,
/// finish the forward pass by hand, backpropagate the class's logit.
torch::Tensor reference_cam(SmallCnnImpl& model, const torch::Tensor& image, int64_t cls, int64_t block,
                            int64_t child) {
  model.eval();
  torch::Tensor h = image.unsqueeze(0);
  for (int64_t b = 0; b < block; ++b) h = model.features->at<ConvBlockImpl>(b).forward(h);
  auto& chain = model.features->at<ConvBlockImpl>(block);
  for (int64_t c = 0; c <= child; ++c) h = (chain.begin() + c)->forward(h);
  const auto a = h.detach().requires_grad_(true);
  h = a;
  for (int64_t c = child + 1; c < static_cast<int64_t>(chain.size()); ++c) h = (chain.begin() + c)->forward(h);
  for (int64_t b = block + 1; b < 3; ++b) h = model.features->at<ConvBlockImpl>(b).forward(h);
  const auto logits = model.classifier->forward(F::adaptive_avg_pool2d(h, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1));
  logits[0][cls].backward();
  torch::NoGradGuard no_grad;
  const auto weights = a.grad().mean({2, 3}, true);
  const auto cam = (weights * a).sum(1, true).relu();
  const auto up = F::interpolate(cam, F::InterpolateFuncOptions()
                                          .size(std::vector<int64_t>{image.size(1), image.size(2)})
                                          .mode(torch::kBilinear)
                                          .align_corners(false))[0][0];
  const double peak = up.max().item<double>();
  return peak > 0 ? up / peak : up;  // a map that is 0 everywhere stays 0
}

TEST(GradCam, OnSmallCnnEqualsPlainAutogradAtEveryKindOfLayer) {
  torch::manual_seed(3);
  SmallCnn model(5);
  // Non-trivial BatchNorm statistics, as a trained model has.
  model->train();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 3; ++i) model->forward(torch::randn({16, 1, 28, 28}));
  }
  const auto images = torch::randn({3, 1, 28, 28});
  const auto classes = torch::tensor({0, 3, 4}, torch::kLong);
  struct Case {
    std::string layer;
    std::string resolved;
    int64_t block, child;
  };
  int nonzero = 0;
  for (const Case& c : {Case{"", "features.2.3", 2, 3}, Case{"features.2", "features.2.3", 2, 3},
                        Case{"features.1", "features.1", 1, 3}, Case{"features.1.2", "features.1.2", 1, 2}}) {
    const GradCam cam = grad_cam(*model, images, classes, c.layer);
    EXPECT_EQ(cam.layer, c.resolved);
    EXPECT_TRUE(model->is_training()) << "the model's mode is restored";
    for (int64_t i = 0; i < 3; ++i) {
      const auto expected = reference_cam(*model, images[i], classes[i].item<int64_t>(), c.block, c.child);
      model->train();
      EXPECT_LT((cam.maps[i] - expected).abs().max().item<double>(), 1e-5) << c.layer << ", image " << i;
      nonzero += expected.max().item<double>() > 0 ? 1 : 0;
    }
  }
  EXPECT_GE(nonzero, 8) << "most of the 12 maps have something to compare";
}

TEST(GradCam, ExplainsThePredictedClassByDefaultAndLeavesTheModelAsItWas) {
  torch::manual_seed(4);
  SmallCnn model(4);
  model->eval();
  const auto images = torch::randn({2, 1, 28, 28});
  torch::Tensor before;
  {
    torch::NoGradGuard no_grad;
    before = model->forward(images);
  }
  const GradCam cam = grad_cam(*model, images);
  EXPECT_TRUE(cam.classes.equal(before.argmax(1)));
  EXPECT_TRUE(cam.logits.allclose(before));
  EXPECT_GE(cam.maps.min().item<double>(), 0.0);
  EXPECT_LE(cam.maps.max().item<double>(), 1.0);
  // The capturing module is gone from the chain again.
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(model->forward(images).equal(before));
  EXPECT_EQ(model->features->at<ConvBlockImpl>(2).ptr(3).get(),
            model->named_modules()["features.2.3"].get());
}

TEST(GradCam, DefaultLayerIsTheLastSpatialBlockOfEachArchitecture) {
  EXPECT_EQ(default_grad_cam_layer(*make_model("small_cnn", 3)), "features.2.3");
  TransferModel resnet = make_model("resnet_narrow", 3);
  EXPECT_EQ(default_grad_cam_layer(*resnet), "layer4.0");
  const GradCam cam = grad_cam(*resnet, torch::randn({2, 1, 28, 28}));
  EXPECT_EQ(cam.maps.sizes(), (std::vector<int64_t>{2, 28, 28}));
}

TEST(GradCam, OffersEverySpatialLayerInForwardOrderEndingWithTheDefaultAndEachGivesAMap) {
  for (const std::string architecture : {"small_cnn", "resnet_narrow"}) {
    SCOPED_TRACE(architecture);
    TransferModel model = make_model(architecture, 3);
    model->train();
    const std::vector<std::string> layers = grad_cam_layers(*model);
    ASSERT_GT(layers.size(), 2u);
    EXPECT_EQ(layers.back(), default_grad_cam_layer(*model));
    EXPECT_TRUE(model->is_training());
    // Layers followed by an in-place ReLU included.
    for (const auto& layer : layers) {
      SCOPED_TRACE(layer);
      EXPECT_NE(layer, "input");
      const GradCam cam = grad_cam(*model, torch::randn({1, 1, 28, 28}), {}, layer);
      EXPECT_EQ(cam.layer, layer);
      EXPECT_EQ(cam.maps.sizes(), (std::vector<int64_t>{1, 28, 28}));
    }
  }
}

std::string error_of(TransferModelImpl& model, const std::string& layer) {
  try {
    grad_cam(model, torch::randn({1, 1, 28, 28}), {}, layer);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(GradCam, LayersWithoutASpatialMapAreRefusedWithTheOnesThatHaveOne) {
  TransferModel model = make_model("small_cnn", 3);
  EXPECT_EQ(error_of(*model, "features.9").rfind("Grad-CAM layer: no layer 'features.9' in small_cnn; layers that can "
                                                 "be probed: input, features.0",
                                                 0),
            0u);
  EXPECT_EQ(error_of(*model, "classifier").rfind("Grad-CAM layer: 'classifier' is the classifier head", 0), 0u);
  try {
    grad_cam(*model, torch::randn({1, 1, 28, 28}), torch::tensor({7}, torch::kLong));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Grad-CAM: classes must lie in 0..2");
  }
}

}  // namespace
}  // namespace tl
