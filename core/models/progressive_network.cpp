#include "models/progressive_network.h"

#include "models/model_checks.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tl {
namespace {

TransferModel checked_pair(TransferModel source, const TransferModel& target) {
  if (!source || !target) throw std::invalid_argument("progressive network: both columns are required");
  if (source->architecture() != target->architecture()) {
    throw std::invalid_argument("progressive network: the columns differ in architecture (" +
                                source->architecture() + " and " + target->architecture() + ")");
  }
  return source;
}

// Output shapes of every block but the last, for one image.
std::vector<std::vector<int64_t>> inner_block_shapes(TransferModelImpl& model) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const InputShape in = model.input_shape();
  auto x = torch::zeros({1, in.channels, in.height, in.width});
  std::vector<std::vector<int64_t>> shapes;
  for (int64_t i = 0; i + 1 < model.num_blocks(); ++i) {
    x = model.run_blocks(x, i, i + 1);
    if (x.dim() != 4) {
      throw std::invalid_argument("progressive network: " + model.architecture() + " block " + std::to_string(i + 1) +
                                  " does not give image-shaped activations");
    }
    shapes.push_back(x.sizes().vec());
  }
  model.train(was_training);
  return shapes;
}

}  // namespace

ProgressiveNetworkImpl::ProgressiveNetworkImpl(TransferModel source_column, TransferModel target_column)
    : TransferModelImpl("progressive_" + target_column->architecture()),
      source(register_module("source", checked_pair(std::move(source_column), target_column))),
      target(register_module("target", std::move(target_column))),
      laterals(register_module("laterals", torch::nn::ModuleList())) {
  const auto source_shapes = inner_block_shapes(*source);
  const auto target_shapes = inner_block_shapes(*target);
  for (size_t i = 0; i < source_shapes.size(); ++i) {
    const int64_t in = source_shapes[i][1], out = target_shapes[i][1];
    laterals->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).bias(false)));
    source_channels_.push_back(in);
    lateral_flops_ += 2 * in * out * source_shapes[i][2] * source_shapes[i][3];
  }
}

std::vector<Block> ProgressiveNetworkImpl::blocks() const {
  std::vector<Block> result;
  const auto column = target->blocks();
  for (size_t i = 0; i < column.size(); ++i) {
    Block block{column[i].name, {}};
    for (const auto& path : column[i].paths) block.paths.push_back("target." + path);
    if (i > 0) block.paths.push_back("laterals." + std::to_string(i - 1));
    result.push_back(block);
  }
  return result;
}

torch::Tensor ProgressiveNetworkImpl::run_blocks(torch::Tensor x, int64_t first, int64_t last) {
  const int64_t count = num_blocks();
  check_block_range(architecture(), first, last, count);
  if (first == last) return x;
  torch::Tensor from_source, from_target;
  if (first == 0) {
    from_source = from_target = x;
  } else {
    const int64_t channels = source_channels_[first - 1];
    from_source = x.narrow(1, 0, channels);
    from_target = x.narrow(1, channels, x.size(1) - channels);
  }
  for (int64_t i = first; i < last; ++i) {
    auto target_input = from_target;
    if (i > 0) target_input = target_input + laterals[i - 1]->as<torch::nn::Conv2d>()->forward(from_source);
    from_target = target->run_blocks(target_input, i, i + 1);
    // The source column's last block feeds no lateral: skip it.
    if (i + 1 < count) from_source = source->run_blocks(from_source, i, i + 1);
  }
  return last == count ? from_target : torch::cat({from_source, from_target}, 1);
}

torch::Tensor ProgressiveNetworkImpl::head_forward(torch::Tensor features) { return target->head_forward(features); }

int64_t ProgressiveNetworkImpl::flops_per_image() const {
  // The source column runs all but its last block and head; approximated by its full cost.
  return source->flops_per_image() + target->flops_per_image() + lateral_flops_;
}

}  // namespace tl
