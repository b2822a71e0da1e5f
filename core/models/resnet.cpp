#include "models/resnet.h"

#include "models/basic_block.h"
#include "models/bottleneck.h"
#include "models/model_checks.h"
#include "models/weight_init.h"

#include <torch/nn/functional/pooling.h>

#include <stdexcept>

namespace tl {

namespace {

int64_t expansion(ResidualBlockKind kind) {
  return kind == ResidualBlockKind::Basic ? BasicBlockImpl::kExpansion : BottleneckImpl::kExpansion;
}

const ResNetOptions& checked(const ResNetOptions& options) {
  const std::string& name = options.architecture;
  if (options.layers.empty() || options.layers.size() != options.widths.size()) {
    throw std::invalid_argument(name + ": needs as many stage widths as stages, got " +
                                std::to_string(options.widths.size()) + " widths for " +
                                std::to_string(options.layers.size()) + " stages");
  }
  for (size_t i = 0; i < options.layers.size(); ++i) {
    if (options.layers[i] < 1 || options.widths[i] < 1) {
      throw std::invalid_argument(name + ": stage " + std::to_string(i + 1) + " needs at least 1 block of width >= 1");
    }
  }
  check_num_classes(name, options.num_classes);
  checked_input(name, options.input);
  return options;
}

torch::nn::Conv2d make_stem_conv(const ResNetOptions& o) {
  const bool small = o.stem == ResNetStem::Small;
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(o.input.channels, o.widths.front(), small ? 3 : 7)
                               .stride(small ? 1 : 2)
                               .padding(small ? 1 : 3)
                               .bias(false));
}

/// The stride of a stage's first block: 1 for the first stage, 2 after.
int64_t stage_stride(size_t stage) { return stage == 0 ? 1 : 2; }

}  // namespace

ResNetImpl::ResNetImpl(ResNetOptions options)
    : TransferModelImpl(options.architecture),
      options_(checked(options)),
      conv1(register_module("conv1", make_stem_conv(options_))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(options_.widths.front()))),
      stages(make_stages()),
      fc(register_module("fc", torch::nn::Linear(feature_dim(), options_.num_classes))) {
  init_weights(*this);
}

std::vector<torch::nn::Sequential> ResNetImpl::make_stages() {
  std::vector<torch::nn::Sequential> result;
  int64_t inplanes = options_.widths.front();
  const int64_t grow = expansion(options_.block);
  for (size_t s = 0; s < options_.layers.size(); ++s) {
    torch::nn::Sequential stage;
    const int64_t planes = options_.widths[s];
    for (int64_t b = 0; b < options_.layers[s]; ++b) {
      const int64_t stride = b == 0 ? stage_stride(s) : 1;
      if (options_.block == ResidualBlockKind::Basic) {
        stage->push_back(BasicBlock(inplanes, planes, stride));
      } else {
        stage->push_back(Bottleneck(inplanes, planes, stride));
      }
      inplanes = planes * grow;
    }
    result.push_back(register_module("layer" + std::to_string(s + 1), stage));
  }
  return result;
}

std::vector<Block> ResNetImpl::blocks() const {
  std::vector<Block> result{{"stem", {"conv1", "bn1"}}};
  for (size_t s = 0; s < options_.layers.size(); ++s) {
    const std::string name = "layer" + std::to_string(s + 1);
    result.push_back({name, {name}});
  }
  return result;
}

torch::Tensor ResNetImpl::run_stem(torch::Tensor x) {
  x = torch::relu(bn1->forward(conv1->forward(x)));
  if (options_.stem == ResNetStem::ImageNet) {
    x = torch::nn::functional::max_pool2d(x, torch::nn::functional::MaxPool2dFuncOptions(3).stride(2).padding(1));
  }
  return x;
}

torch::Tensor ResNetImpl::run_blocks(torch::Tensor x, int64_t first, int64_t last) {
  const auto count = static_cast<int64_t>(stages.size()) + 1;
  check_block_range(options_.architecture, first, last, count);
  for (int64_t i = first; i < last; ++i) {
    x = i == 0 ? run_stem(x) : stages[i - 1]->forward(x);
    if (i == count - 1) x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }
  return x;
}

torch::Tensor ResNetImpl::head_forward(torch::Tensor features) { return fc->forward(features); }

void ResNetImpl::replace_head(int64_t num_classes) {
  check_num_classes(options_.architecture, num_classes);
  torch::nn::Linear head(feature_dim(), num_classes);
  head->to(fc->weight.device(), fc->weight.scalar_type());
  fc = replace_module("fc", head);
  options_.num_classes = num_classes;
}

int64_t ResNetImpl::num_classes() const { return fc->options.out_features(); }

int64_t ResNetImpl::feature_dim() const { return options_.widths.back() * expansion(options_.block); }

int64_t ResNetImpl::flops_per_image() const {
  const auto& o = options_;
  const bool small = o.stem == ResNetStem::Small;
  int64_t height = conv_output_size(o.input.height, small ? 3 : 7, small ? 1 : 2, small ? 1 : 3);
  int64_t width = conv_output_size(o.input.width, small ? 3 : 7, small ? 1 : 2, small ? 1 : 3);
  int64_t multiply_adds = height * width * o.widths.front() * o.input.channels * (small ? 9 : 49);
  if (!small) {
    height = conv_output_size(height, 3, 2, 1);
    width = conv_output_size(width, 3, 2, 1);
  }
  for (size_t s = 0; s < stages.size(); ++s) {
    for (size_t b = 0; b < stages[s]->size(); ++b) {
      const auto block = stages[s]->ptr(b);
      if (const auto* basic = block->as<BasicBlockImpl>()) {
        multiply_adds += basic->multiply_adds(height, width);
      } else {
        multiply_adds += block->as<BottleneckImpl>()->multiply_adds(height, width);
      }
      if (b == 0) {
        height = conv_output_size(height, 3, stage_stride(s), 1);
        width = conv_output_size(width, 3, stage_stride(s), 1);
      }
    }
  }
  multiply_adds += feature_dim() * num_classes();
  return 2 * multiply_adds;
}

}  // namespace tl
