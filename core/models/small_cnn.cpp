#include "models/small_cnn.h"

#include "models/conv_block.h"
#include "models/model_checks.h"
#include "models/weight_init.h"

#include <array>

namespace tl {

namespace {

constexpr const char* kArchitecture = "small_cnn";
constexpr std::array<int64_t, 3> kWidths{32, 64, 128};
constexpr int64_t kMinImageSize = 8;  // three 2x2 poolings leave at least 1x1

torch::nn::Sequential make_features(int64_t in_channels) {
  torch::nn::Sequential features;
  for (const int64_t width : kWidths) {
    features->push_back(ConvBlock(in_channels, width));
    in_channels = width;
  }
  return features;
}

torch::nn::Linear make_head(int64_t num_classes) {
  check_num_classes(kArchitecture, num_classes);
  return torch::nn::Linear(kWidths.back(), num_classes);
}

}  // namespace

SmallCnnImpl::SmallCnnImpl(int64_t num_classes, InputShape input)
    : TransferModelImpl(kArchitecture),
      input_(checked_input(kArchitecture, input, kMinImageSize)),
      features(register_module("features", make_features(input_.channels))),
      classifier(register_module("classifier", make_head(num_classes))) {
  init_weights(*this);
}

std::vector<Block> SmallCnnImpl::blocks() const {
  return {{"block1", {"features.0"}}, {"block2", {"features.1"}}, {"block3", {"features.2"}}};
}

torch::Tensor SmallCnnImpl::run_blocks(torch::Tensor x, int64_t first, int64_t last) {
  const auto count = static_cast<int64_t>(features->size());
  check_block_range(kArchitecture, first, last, count);
  for (int64_t i = first; i < last; ++i) {
    x = features->at<ConvBlockImpl>(i).forward(x);
    if (i == count - 1) x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }
  return x;
}

torch::Tensor SmallCnnImpl::head_forward(torch::Tensor features_in) { return classifier->forward(features_in); }

void SmallCnnImpl::replace_head(int64_t num_classes) {
  auto head = make_head(num_classes);
  head->to(classifier->weight.device(), classifier->weight.scalar_type());
  classifier = replace_module("classifier", head);
}

int64_t SmallCnnImpl::num_classes() const { return classifier->options.out_features(); }

int64_t SmallCnnImpl::feature_dim() const { return kWidths.back(); }

int64_t SmallCnnImpl::flops_per_image() const {
  int64_t multiply_adds = 0;
  int64_t channels = input_.channels;
  int64_t height = input_.height;
  int64_t width = input_.width;
  for (const int64_t out : kWidths) {
    multiply_adds += out * height * width * channels * 9;  // 3x3 "same" convolution
    channels = out;
    height = conv_output_size(height, 2, 2, 0);
    width = conv_output_size(width, 2, 2, 0);
  }
  multiply_adds += feature_dim() * num_classes();
  return 2 * multiply_adds;
}

}  // namespace tl
