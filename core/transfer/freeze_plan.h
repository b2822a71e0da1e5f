#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

namespace tl {

/// How one layer (and everything under it) takes part in training.
struct LayerSetting {
  bool trainable = true;
  double lr_multiplier = 1.0;  ///< scales the base learning rate; >= 0

  bool operator==(const LayerSetting& o) const {
    return trainable == o.trainable && lr_multiplier == o.lr_multiplier;
  }
};

/// Freezing as data: a map from dotted layer paths to settings, plus the
/// layers to re-initialise before training.
///
/// A parameter takes the setting of the longest path in the plan that is a
/// dotted prefix of its name ("layer1.0" covers "layer1.0.conv1.weight" but
/// not "layer1.01.x"); the empty path "" is the default for everything.
class FreezePlan {
 public:
  FreezePlan() { settings_[""] = LayerSetting{}; }

  /// Sets `path` and drops more specific entries below it, so the new
  /// setting holds for the whole subtree.
  void set(const std::string& path, LayerSetting setting);
  void set_trainable(const std::string& path, bool trainable);
  void set_lr_multiplier(const std::string& path, double multiplier);

  /// The setting that applies to a parameter or module path.
  LayerSetting setting_for(const std::string& path) const;

  /// Explicit entries, including the default "".
  const std::map<std::string, LayerSetting>& entries() const { return settings_; }

  /// Layers re-initialised before training (layer replacement).
  const std::vector<std::string>& reinitialized() const { return reinitialize_; }
  void add_reinitialized(const std::string& path);

  /// Checks that every path names a module of `model`; throws
  /// "freeze plan: no layer 'layer9' in resnet_narrow" otherwise.
  void validate(const torch::nn::Module& model, const std::string& model_name) const;

  /// Sets requires_grad on every parameter of `model` from the plan.
  void apply(torch::nn::Module& model) const;

  /// Dotted paths of modules all of whose parameters are frozen and that have
  /// parameters; used to keep frozen BatchNorm layers in eval mode.
  std::vector<std::string> frozen_modules(const torch::nn::Module& model) const;

  bool operator==(const FreezePlan& o) const {
    return settings_ == o.settings_ && reinitialize_ == o.reinitialize_;
  }

 private:
  std::map<std::string, LayerSetting> settings_;
  std::vector<std::string> reinitialize_;
};

/// True when `prefix` is "" or equals `path` or is followed in it by a dot.
bool is_path_prefix(const std::string& prefix, const std::string& path);

}  // namespace tl
