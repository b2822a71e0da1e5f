#include "models/mobilenet_v2.h"

#include "models/inverted_residual.h"
#include "models/model_checks.h"

#include <torch/nn/init.h>

#include <array>

namespace tl {

namespace {

constexpr const char* kArchitecture = "mobilenet_v2";
constexpr int64_t kStemWidth = 32;
constexpr int64_t kLastWidth = 1280;

/// torchvision's inverted-residual settings: expansion t, width c, repeats n, stride s.
struct Setting {
  int64_t t, c, n, s;
};
constexpr std::array<Setting, 7> kSettings{{
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};

torch::nn::Sequential make_features(int64_t in_channels) {
  torch::nn::Sequential features;
  features->push_back(ConvBnReLU6(in_channels, kStemWidth, 3, 2));
  int64_t width = kStemWidth;
  for (const Setting& s : kSettings) {
    for (int64_t i = 0; i < s.n; ++i) {
      features->push_back(InvertedResidual(width, s.c, i == 0 ? s.s : 1, s.t));
      width = s.c;
    }
  }
  features->push_back(ConvBnReLU6(width, kLastWidth, 1));
  return features;
}

/// torchvision's initialisation: Kaiming (fan out) convolutions, unit batch
/// norms, N(0, 0.01) linear weights, zero biases.
void init_mobilenet(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut);
    } else if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->reset_parameters();
    } else if (auto* linear = m->as<torch::nn::Linear>()) {
      torch::nn::init::normal_(linear->weight, 0, 0.01);
      torch::nn::init::zeros_(linear->bias);
    }
  }
}

int64_t checked_classes(int64_t num_classes) {
  check_num_classes(kArchitecture, num_classes);
  return num_classes;
}

}  // namespace

MobileNetV2ClassifierImpl::MobileNetV2ClassifierImpl(int64_t in_features, int64_t num_classes)
    : dropout(register_module("0", torch::nn::Dropout(0.2))),
      linear(register_module("1", torch::nn::Linear(in_features, num_classes))) {}

MobileNetV2Impl::MobileNetV2Impl(int64_t num_classes, InputShape input)
    : TransferModelImpl(kArchitecture),
      input_(checked_input(kArchitecture, input)),
      features(register_module("features", make_features(input_.channels))),
      classifier(register_module("classifier", MobileNetV2Classifier(kLastWidth, checked_classes(num_classes)))) {
  init_mobilenet(*this);
}

std::vector<Block> MobileNetV2Impl::blocks() const {
  std::vector<Block> result{{"stem", {"features.0"}}};
  int64_t index = 1;
  for (size_t s = 0; s < kSettings.size(); ++s) {
    Block block{"stage" + std::to_string(s + 1), {}};
    for (int64_t i = 0; i < kSettings[s].n; ++i) block.paths.push_back("features." + std::to_string(index++));
    result.push_back(block);
  }
  result.push_back({"last_conv", {"features." + std::to_string(index)}});
  return result;
}

torch::Tensor MobileNetV2Impl::run_blocks(torch::Tensor x, int64_t first, int64_t last) {
  const auto all = blocks();
  const auto count = static_cast<int64_t>(all.size());
  check_block_range(kArchitecture, first, last, count);
  // Feature indices of block b: the stem is 0, then each stage's n modules.
  int64_t start = 0;
  for (int64_t b = 0; b < first; ++b) start += static_cast<int64_t>(all[b].paths.size());
  for (int64_t b = first; b < last; ++b) {
    for (size_t i = 0; i < all[b].paths.size(); ++i, ++start) {
      const auto module = features->ptr(start);
      if (auto* residual = module->as<InvertedResidualImpl>()) {
        x = residual->forward(x);
      } else {
        x = module->as<ConvBnReLU6Impl>()->forward(x);
      }
    }
    if (b == count - 1) x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }
  return x;
}

torch::Tensor MobileNetV2Impl::head_forward(torch::Tensor features_in) { return classifier->forward(features_in); }

void MobileNetV2Impl::replace_head(int64_t num_classes) {
  check_num_classes(kArchitecture, num_classes);
  torch::nn::Linear head(kLastWidth, num_classes);
  head->to(classifier->linear->weight.device(), classifier->linear->weight.scalar_type());
  classifier->linear = classifier->replace_module("1", head);
}

int64_t MobileNetV2Impl::num_classes() const { return classifier->linear->options.out_features(); }

int64_t MobileNetV2Impl::feature_dim() const { return kLastWidth; }

int64_t MobileNetV2Impl::flops_per_image() const {
  int64_t height = conv_output_size(input_.height, 3, 2, 1);
  int64_t width = conv_output_size(input_.width, 3, 2, 1);
  int64_t multiply_adds = height * width * kStemWidth * input_.channels * 9;
  for (size_t i = 1; i + 1 < features->size(); ++i) {
    const auto* block = features->ptr(i)->as<InvertedResidualImpl>();
    multiply_adds += block->multiply_adds(height, width);
    height = conv_output_size(height, 3, block->stride(), 1);
    width = conv_output_size(width, 3, block->stride(), 1);
  }
  multiply_adds += height * width * kSettings.back().c * kLastWidth;
  multiply_adds += kLastWidth * num_classes();
  return 2 * multiply_adds;
}

}  // namespace tl
