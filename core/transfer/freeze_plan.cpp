#include "transfer/freeze_plan.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tl {

bool is_path_prefix(const std::string& prefix, const std::string& path) {
  if (prefix.empty()) return true;
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.';
}

void FreezePlan::set(const std::string& path, LayerSetting setting) {
  if (setting.lr_multiplier < 0.0) {
    throw std::invalid_argument("freeze plan: learning-rate multiplier of '" + path + "' must be >= 0");
  }
  // A setting on a parent overrides everything beneath it.
  for (auto it = settings_.begin(); it != settings_.end();) {
    if (it->first != path && is_path_prefix(path, it->first)) {
      it = settings_.erase(it);
    } else {
      ++it;
    }
  }
  settings_[path] = setting;
}

void FreezePlan::set_trainable(const std::string& path, bool trainable) {
  LayerSetting s = setting_for(path);
  s.trainable = trainable;
  set(path, s);
}

void FreezePlan::set_lr_multiplier(const std::string& path, double multiplier) {
  LayerSetting s = setting_for(path);
  s.lr_multiplier = multiplier;
  // Only this layer's own setting changes; children keep theirs.
  if (multiplier < 0.0) {
    throw std::invalid_argument("freeze plan: learning-rate multiplier of '" + path + "' must be >= 0");
  }
  settings_[path] = s;
}

LayerSetting FreezePlan::setting_for(const std::string& path) const {
  // The longest matching prefix wins; std::map orders a prefix before its
  // extensions, so walk all entries and keep the longest match.
  const LayerSetting* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, setting] : settings_) {
    if (is_path_prefix(prefix, path) && (best == nullptr || prefix.size() >= best_len)) {
      best = &setting;
      best_len = prefix.size();
    }
  }
  return best ? *best : LayerSetting{};
}

void FreezePlan::add_reinitialized(const std::string& path) {
  for (const auto& p : reinitialize_) {
    if (p == path) return;
  }
  reinitialize_.push_back(path);
}

void FreezePlan::validate(const torch::nn::Module& model, const std::string& model_name) const {
  auto modules = model.named_modules(/*name_prefix=*/"", /*include_self=*/false);
  auto check = [&](const std::string& path) {
    if (path.empty() || modules.contains(path)) return;
    throw std::invalid_argument("freeze plan: no layer '" + path + "' in " + model_name);
  };
  for (const auto& [path, setting] : settings_) check(path);
  for (const auto& path : reinitialize_) check(path);
}

void FreezePlan::apply(torch::nn::Module& model) const {
  for (auto& item : model.named_parameters(/*recurse=*/true)) {
    item.value().set_requires_grad(setting_for(item.key()).trainable);
  }
}

std::vector<std::string> FreezePlan::frozen_modules(const torch::nn::Module& model) const {
  std::vector<std::string> frozen;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    auto params = item.value()->named_parameters(/*recurse=*/true);
    if (params.is_empty()) continue;
    bool all_frozen = true;
    for (const auto& p : params) {
      if (setting_for(item.key() + "." + p.key()).trainable) {
        all_frozen = false;
        break;
      }
    }
    if (all_frozen) frozen.push_back(item.key());
  }
  return frozen;
}

}  // namespace tl
