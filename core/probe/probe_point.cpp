#include "probe/probe_point.h"

#include "experiment/experiment_config.h"
#include "models/layer_tree.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tl {
namespace {

using Kind = ProbePoint::Kind;

// A Sequential's output is its last child's output, each child fed the one
// before: so the output of any child is a well-defined intermediate tensor.
// ConvBlock derives from it; a residual block does not.
const torch::nn::SequentialImpl* as_chain(const torch::nn::Module& module) {
  return dynamic_cast<const torch::nn::SequentialImpl*>(&module);
}

std::shared_ptr<torch::nn::Module> find_module(const TransferModelImpl& model, const std::string& path) {
  const auto modules = model.named_modules("", /*include_self=*/false);
  const auto* found = modules.find(path);
  return found ? *found : nullptr;
}

void add_chain_layers(const torch::nn::Module& module, const ProbePoint& parent, std::vector<ProbePoint>& out) {
  if (!as_chain(module)) return;
  const auto children = module.named_children();
  for (size_t i = 0; i < children.size(); ++i) {
    ProbePoint p = parent;
    p.kind = Kind::ChainLayer;
    p.layer = parent.layer + "." + children[i].key();
    p.type = module_type_name(*children[i].value());
    p.chain.push_back(static_cast<int64_t>(i));
    out.push_back(p);
    add_chain_layers(*children[i].value(), p, out);
  }
}

ProbePoint input_point() {
  ProbePoint p;
  p.kind = Kind::Input;
  p.layer = "input";
  p.type = "pixels";
  return p;
}

ProbePoint block_point(const TransferModelImpl& model, const Block& block, int64_t index) {
  ProbePoint p;
  p.kind = Kind::BlockOutput;
  p.block = block.name;
  p.block_index = index;
  if (block.paths.size() == 1) {
    p.layer = block.paths.front();
    const auto module = find_module(model, p.layer);
    p.type = module ? module_type_name(*module) : "block";
  } else {
    p.layer = block.name;
    p.type = "block";
  }
  return p;
}

std::string joined_layers(const std::vector<ProbePoint>& points) {
  std::string text;
  for (const auto& p : points) text += (text.empty() ? "" : ", ") + p.layer;
  return text;
}

bool is_under(const std::string& path, const std::string& ancestor) {
  return path == ancestor || path.rfind(ancestor + ".", 0) == 0;
}

// Why an existing module cannot be probed, in words a user can act on.
std::string why_not_probeable(TransferModelImpl& model, const std::string& layer,
                              const std::vector<ProbePoint>& points) {
  if (is_under(layer, model.head_path())) {
    return "'" + layer + "' is the classifier head; its output is the prediction, not a representation";
  }
  for (const auto& block : model.blocks()) {
    for (const auto& path : block.paths) {
      if (!is_under(layer, path)) continue;
      if (block.paths.size() > 1) {
        std::string modules;
        for (const auto& p : block.paths) modules += (modules.empty() ? "" : ", ") + p;
        return "'" + layer + "' is part of block '" + block.name + "' (" + modules +
               "), whose output is not a chain of these modules; probe the block as '" + block.name + "'";
      }
      // The deepest probe-able ancestor is the module that is not a chain.
      const ProbePoint* container = nullptr;
      for (const auto& p : points) {
        if (p.kind != Kind::Input && is_under(layer, p.layer) && (!container || p.layer.size() > container->layer.size())) {
          container = &p;
        }
      }
      if (container) {
        return "'" + layer + "' is inside " + container->layer + " (" + container->type +
               "), whose output is not a single chain of its children's outputs (a residual connection or other "
               "code in its forward); probe " + container->layer + " itself";
      }
    }
  }
  return "'" + layer + "' is not inside any of " + model.architecture() + "'s blocks";
}

torch::Tensor run_chain(torch::nn::Module& block_module, const std::vector<int64_t>& chain, torch::Tensor x) {
  torch::nn::Module* current = &block_module;
  for (size_t depth = 0; depth < chain.size(); ++depth) {
    auto* sequential = dynamic_cast<torch::nn::SequentialImpl*>(current);
    if (!sequential) throw std::logic_error("probe: the chain to a layer passes through a module that is not a chain");
    auto child = sequential->begin();
    for (int64_t i = 0; i < chain[depth]; ++i, ++child) x = child->forward(x);
    if (depth + 1 == chain.size()) return child->forward(x);
    current = child->ptr().get();
  }
  return x;
}

}  // namespace

std::vector<ProbePoint> probe_points(TransferModelImpl& model) {
  std::vector<ProbePoint> points{input_point()};
  const auto blocks = model.blocks();
  for (size_t i = 0; i < blocks.size(); ++i) {
    const ProbePoint block = block_point(model, blocks[i], static_cast<int64_t>(i));
    points.push_back(block);
    if (blocks[i].paths.size() != 1) continue;
    if (const auto module = find_module(model, block.layer)) add_chain_layers(*module, block, points);
  }
  return points;
}

std::vector<ProbePoint> profile_points(TransferModelImpl& model) {
  std::vector<ProbePoint> points;
  for (const auto& p : probe_points(model)) {
    if (p.kind != Kind::ChainLayer) points.push_back(p);
  }
  return points;
}

ProbePoint resolve_probe_point(TransferModelImpl& model, const std::string& layer) {
  const auto points = probe_points(model);
  for (const auto& p : points) {
    if (p.layer == layer || (p.kind == Kind::BlockOutput && p.block == layer)) return p;
  }
  const std::string reason = find_module(model, layer) ? why_not_probeable(model, layer, points)
                                                       : "no layer '" + layer + "' in " + model.architecture();
  throw ConfigError("probe.layer: " + reason + "; layers that can be probed: " + joined_layers(points));
}

torch::Tensor probe_activations(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images) {
  switch (point.kind) {
    case Kind::Input:
      return images;
    case Kind::BlockOutput:
      return model.run_blocks(images, 0, point.block_index + 1);
    case Kind::ChainLayer: {
      const auto block_module = find_module(model, model.blocks().at(point.block_index).paths.front());
      if (!block_module) throw std::logic_error("probe: block module of " + point.layer + " not found");
      torch::Tensor x = model.run_blocks(images, 0, point.block_index);
      return run_chain(*block_module, point.chain, x);
    }
  }
  throw std::logic_error("probe: unknown probe point kind");
}

torch::Tensor bounded_features(const torch::Tensor& activations, int64_t max_features) {
  if (activations.dim() != 4) return activations.reshape({activations.size(0), -1});
  const int64_t channels = activations.size(1);
  const auto side = static_cast<int64_t>(std::floor(std::sqrt(static_cast<double>(max_features) / channels)));
  const int64_t height = std::clamp<int64_t>(side, 1, activations.size(2));
  const int64_t width = std::clamp<int64_t>(side, 1, activations.size(3));
  if (height == activations.size(2) && width == activations.size(3)) return activations.flatten(1);
  return torch::adaptive_avg_pool2d(activations, {height, width}).flatten(1);
}

}  // namespace tl
