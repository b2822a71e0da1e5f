#include "transfer/l2sp.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

namespace tl {
namespace {

bool is_new(const std::string& name, const FreezePlan& plan, const std::string& head_path) {
  if (is_path_prefix(head_path, name)) return true;
  for (const auto& path : plan.reinitialized()) {
    if (is_path_prefix(path, name)) return true;
  }
  return false;
}

void check_strength(double value, const char* name) {
  if (!(value >= 0.0)) {
    std::ostringstream message;
    message << "l2sp." << name << ": expected a number >= 0, got " << value;
    throw std::invalid_argument(message.str());
  }
}

}  // namespace

L2SpPenalty::L2SpPenalty(const torch::nn::Module& model, const FreezePlan& plan, const std::string& head_path,
                         L2SpOptions options)
    : options_(options) {
  check_strength(options.alpha, "alpha");
  check_strength(options.beta, "beta");
  for (const auto& p : model.named_parameters(/*recurse=*/true)) {
    const LayerSetting s = plan.setting_for(p.key());
    if (!s.trainable || s.lr_multiplier <= 0.0) continue;
    if (is_new(p.key(), plan, head_path)) {
      fresh_.push_back(p.value());
    } else {
      transferred_.emplace_back(p.value(), p.value().detach().clone());
    }
  }
}

torch::Tensor L2SpPenalty::operator()() const {
  auto total = torch::zeros({});
  if (options_.alpha > 0.0) {
    for (const auto& [w, w0] : transferred_) total = total + 0.5 * options_.alpha * (w - w0).pow(2).sum();
  }
  if (options_.beta > 0.0) {
    for (const auto& w : fresh_) total = total + 0.5 * options_.beta * w.pow(2).sum();
  }
  return total;
}

}  // namespace tl
