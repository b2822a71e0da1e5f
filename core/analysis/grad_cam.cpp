#include "analysis/grad_cam.h"

#include "experiment/experiment_config.h"
#include "probe/probe_point.h"

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/torch.h>

#include <optional>
#include <stdexcept>

namespace tl {
namespace {

using Kind = ProbePoint::Kind;

constexpr const char* kField = "Grad-CAM layer: ";

// Runs the wrapped module, hands its output on as a fresh leaf and keeps it.
// Grad mode is switched on here, so the prefix up to the layer (run without
// gradients) builds no graph and only the rest of the network is recorded.
class ActivationTapImpl : public torch::nn::Module {
 public:
  ActivationTapImpl(torch::nn::AnyModule inner, torch::Tensor* captured)
      : inner_(std::move(inner)), captured_(captured) {}

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor y = inner_.forward(x);
    at::GradMode::set_enabled(true);
    *captured_ = y.detach().requires_grad_(true);
    // A copy goes on: the next layer may work in place (ReLU(inplace)), which
    // autograd refuses on a leaf.
    return captured_->clone();
  }

 private:
  torch::nn::AnyModule inner_;
  torch::Tensor* captured_;
};

// Puts a tap in place of one child of a chain and restores the child on exit.
class TapInChain {
 public:
  TapInChain(torch::nn::AnyModule& slot, torch::Tensor* captured) : slot_(slot), original_(slot) {
    slot_ = torch::nn::AnyModule(std::make_shared<ActivationTapImpl>(original_, captured));
  }
  ~TapInChain() { slot_ = original_; }
  TapInChain(const TapInChain&) = delete;
  TapInChain& operator=(const TapInChain&) = delete;

 private:
  torch::nn::AnyModule& slot_;
  torch::nn::AnyModule original_;
};

class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalModeGuard() { module_.train(was_training_); }

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

torch::nn::AnyModule& chain_slot(TransferModelImpl& model, const ProbePoint& point) {
  const std::string path = model.blocks().at(point.block_index).paths.front();
  const auto modules = model.named_modules("", /*include_self=*/false);
  const auto* found = modules.find(path);
  auto* chain = found ? dynamic_cast<torch::nn::SequentialImpl*>(found->get()) : nullptr;
  for (size_t depth = 0; chain && depth + 1 < point.chain.size(); ++depth) {
    chain = dynamic_cast<torch::nn::SequentialImpl*>((chain->begin() + point.chain[depth])->ptr().get());
  }
  if (!chain) throw std::logic_error("Grad-CAM: the chain to " + point.layer + " passes through a non-chain module");
  return *(chain->begin() + point.chain.back());
}

int64_t activation_rank(TransferModelImpl& model, const ProbePoint& point) {
  torch::NoGradGuard no_grad;
  const InputShape in = model.input_shape();
  return probe_activations(model, point, torch::zeros({1, in.channels, in.height, in.width})).dim();
}

// The last block's pooled output stands for its spatial output before the
// pooling: the output of the last child of its chain.
std::optional<ProbePoint> spatial_output_of_last_block(TransferModelImpl& model, const ProbePoint& point) {
  if (point.kind != Kind::BlockOutput || point.block_index + 1 != model.num_blocks()) return std::nullopt;
  std::optional<ProbePoint> last_child;
  for (const auto& p : probe_points(model)) {
    if (p.kind == Kind::ChainLayer && p.block_index == point.block_index && p.chain.size() == 1) last_child = p;
  }
  return last_child;
}

std::vector<std::string> spatial_layer_names(TransferModelImpl& model) {
  std::vector<std::string> names;
  for (const auto& p : probe_points(model)) {
    if (p.kind != Kind::Input && activation_rank(model, p) == 4) names.push_back(p.layer);
  }
  return names;
}

std::string spatial_layers(TransferModelImpl& model) {
  std::string list;
  for (const auto& name : spatial_layer_names(model)) list += (list.empty() ? "" : ", ") + name;
  return list;
}

ProbePoint resolve_spatial_point(TransferModelImpl& model, const std::string& layer) {
  ProbePoint point;
  try {
    point = resolve_probe_point(model, layer);
  } catch (const ConfigError& e) {
    std::string reason = e.what();
    const std::string probe_prefix = "probe.layer: ";
    if (reason.rfind(probe_prefix, 0) == 0) reason.erase(0, probe_prefix.size());
    throw ConfigError(kField + reason);
  }
  if (activation_rank(model, point) == 4) return point;
  if (const auto spatial = spatial_output_of_last_block(model, point)) {
    if (activation_rank(model, *spatial) == 4) return *spatial;
  }
  throw ConfigError(kField + std::string("'") + layer +
                    "' gives a flat feature vector, not a spatial map; layers with a spatial map: " +
                    spatial_layers(model));
}

void check_inputs(TransferModelImpl& model, const torch::Tensor& images, const torch::Tensor& classes) {
  const InputShape in = model.input_shape();
  if (images.dim() != 4 || images.size(1) != in.channels) {
    throw std::invalid_argument("Grad-CAM: expected images [N, " + std::to_string(in.channels) + ", H, W], got " +
                                std::to_string(images.dim()) + " dimensions");
  }
  if (!classes.defined()) return;
  if (classes.dim() != 1 || classes.size(0) != images.size(0)) {
    throw std::invalid_argument("Grad-CAM: expected one class per image");
  }
  if (classes.numel() > 0 && (classes.min().item<int64_t>() < 0 || classes.max().item<int64_t>() >= model.num_classes())) {
    throw std::invalid_argument("Grad-CAM: classes must lie in 0.." + std::to_string(model.num_classes() - 1));
  }
}

struct Captured {
  torch::Tensor activation;  ///< leaf [N, C, h, w] that requires grad
  torch::Tensor logits;      ///< computed from it
};

Captured forward_with_capture(TransferModelImpl& model, const ProbePoint& point, const torch::Tensor& images) {
  Captured c;
  switch (point.kind) {
    case Kind::Input: {
      torch::AutoGradMode grad(true);
      c.activation = images.detach().requires_grad_(true);
      c.logits = model.forward(c.activation);
      return c;
    }
    case Kind::BlockOutput: {
      torch::Tensor prefix;
      {
        torch::NoGradGuard no_grad;
        prefix = model.run_blocks(images, 0, point.block_index + 1);
      }
      torch::AutoGradMode grad(true);
      c.activation = prefix.requires_grad_(true);
      c.logits = model.head_forward(model.run_blocks(c.activation, point.block_index + 1, model.num_blocks()));
      return c;
    }
    case Kind::ChainLayer: {
      torch::NoGradGuard no_grad;  // the tap switches gradients on at the layer; the guard restores the mode
      TapInChain tap(chain_slot(model, point), &c.activation);
      c.logits = model.forward(images);
      if (!c.activation.defined()) throw std::logic_error("Grad-CAM: the forward pass never reached " + point.layer);
      return c;
    }
  }
  throw std::logic_error("Grad-CAM: unknown probe point kind");
}

torch::Tensor class_activation_maps(const torch::Tensor& activation, const torch::Tensor& gradient,
                                    int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  const auto weights = gradient.mean({2, 3}, /*keepdim=*/true);
  const auto cam = (weights * activation).sum(1, /*keepdim=*/true).relu();
  auto maps = F::interpolate(cam, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{height, width})
                                      .mode(torch::kBilinear)
                                      .align_corners(false))
                  .squeeze(1);
  const auto peak = maps.amax({1, 2}, /*keepdim=*/true);
  return torch::where(peak > 0, maps / peak.clamp_min(1e-30), torch::zeros_like(maps));
}

}  // namespace

std::string default_grad_cam_layer(TransferModelImpl& model) {
  EvalModeGuard eval(model);
  const auto points = probe_points(model);
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    if (it->kind != Kind::Input && activation_rank(model, *it) == 4) return it->layer;
  }
  throw ConfigError(kField + std::string("no layer of ") + model.architecture() + " gives a spatial map");
}

std::vector<std::string> grad_cam_layers(TransferModelImpl& model) {
  EvalModeGuard eval(model);
  return spatial_layer_names(model);
}

GradCam grad_cam(TransferModelImpl& model, const torch::Tensor& images, const torch::Tensor& classes,
                 const std::string& layer) {
  check_inputs(model, images, classes);
  EvalModeGuard eval(model);
  const ProbePoint point = resolve_spatial_point(model, layer.empty() ? default_grad_cam_layer(model) : layer);
  Captured captured = forward_with_capture(model, point, images);
  GradCam result;
  result.layer = point.layer;
  result.classes = classes.defined() ? classes.to(torch::kLong) : captured.logits.argmax(1).detach();
  torch::Tensor gradient;
  {
    torch::AutoGradMode grad(true);
    const auto score = captured.logits.gather(1, result.classes.view({-1, 1})).sum();
    gradient = torch::autograd::grad({score}, {captured.activation}, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                     /*create_graph=*/false, /*allow_unused=*/true)[0];
  }
  torch::NoGradGuard no_grad;
  const auto activation = captured.activation.detach();
  if (!gradient.defined()) gradient = torch::zeros_like(activation);
  result.maps = class_activation_maps(activation, gradient, images.size(2), images.size(3));
  result.logits = captured.logits.detach();
  return result;
}

}  // namespace tl
