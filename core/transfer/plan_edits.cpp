#include "transfer/plan_edits.h"

#include <torch/nn/module.h>

#include <algorithm>

namespace tl {
namespace {

// Index just past the last descendant of layers[index]; in pre-order a
// subtree is the run of paths its root is a dotted prefix of.
size_t subtree_end(const std::vector<std::string>& layers, size_t index) {
  size_t end = index + 1;
  while (end < layers.size() && is_path_prefix(layers[index], layers[end])) ++end;
  return end;
}

size_t index_of(const std::vector<std::string>& layers, const std::string& path) {
  return static_cast<size_t>(std::find(layers.begin(), layers.end(), path) - layers.begin());
}

// Frozen before `boundary`, trainable from it on.
void split_at(LayerEdits& edits, const FreezePlan& plan, const std::vector<std::string>& layers, size_t boundary) {
  for (const auto& p : covering_subtrees(layers, 0, boundary)) set_subtree_trainable(edits, plan, p, false);
  for (const auto& p : covering_subtrees(layers, boundary, layers.size())) set_subtree_trainable(edits, plan, p, true);
}

}  // namespace

FreezePlan freeze_plan_for(const StrategyChoice& choice, const LayerEdits& edits, const TransferModelImpl& model) {
  FreezePlan plan = make_plan(choice.strategy, model, choice.options);
  const auto modules = model.named_modules("", /*include_self=*/false);
  for (const auto& [path, setting] : edits) {
    if (!path.empty() && !modules.contains(path)) {
      throw PlanError("transfer.layers." + path,
                      "no such layer in " + model.architecture() + " (see `transferlab-cli layers`)");
    }
    plan.set(path, setting);
  }
  return plan;
}

void set_subtree_trainable(LayerEdits& edits, const FreezePlan& plan, const std::string& path, bool trainable) {
  edits[path] = LayerSetting{trainable, plan.setting_for(path).lr_multiplier};
  for (const auto& [entry, setting] : plan.entries()) {
    if (entry != path && is_path_prefix(path, entry)) edits[entry] = LayerSetting{trainable, setting.lr_multiplier};
  }
}

void set_layer_lr_multiplier(LayerEdits& edits, const FreezePlan& plan, const std::string& path, double multiplier) {
  edits[path] = LayerSetting{plan.setting_for(path).trainable, std::clamp(multiplier, 0.0, kMaxLayerLrMultiplier)};
}

std::vector<std::string> covering_subtrees(const std::vector<std::string>& layers, size_t first, size_t last) {
  std::vector<std::string> roots;
  for (size_t i = first; i < last;) {
    const size_t end = subtree_end(layers, i);
    if (end <= last) {
      roots.push_back(layers[i]);
      i = end;
    } else {
      ++i;  // straddles the end: descend
    }
  }
  return roots;
}

bool freeze_up_to(LayerEdits& edits, const FreezePlan& plan, const std::vector<std::string>& layers,
                  const std::string& path) {
  const size_t index = index_of(layers, path);
  if (index == layers.size()) return false;
  split_at(edits, plan, layers, subtree_end(layers, index));
  return true;
}

bool unfreeze_from(LayerEdits& edits, const FreezePlan& plan, const std::vector<std::string>& layers,
                   const std::string& path) {
  const size_t index = index_of(layers, path);
  if (index == layers.size()) return false;
  split_at(edits, plan, layers, index);
  return true;
}

bool drop_redundant_edits(LayerEdits& edits, const FreezePlan& edited, const FreezePlan& unedited,
                          const std::vector<std::string>& layers) {
  for (const auto& path : layers) {
    if (!(edited.setting_for(path) == unedited.setting_for(path))) return false;
  }
  edits.clear();
  return true;
}

}  // namespace tl
