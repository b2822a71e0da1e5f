#pragma once

#include "models/transfer_model.h"
#include "transfer/freeze_plan.h"
#include "transfer/plan_error.h"
#include "transfer/strategy.h"

#include <map>
#include <string>
#include <vector>

namespace tl {

/// The user's per-layer edits on top of a strategy's plan (a config's
/// transfer.layers): dotted module path → setting for its subtree.
using LayerEdits = std::map<std::string, LayerSetting>;

/// The largest learning-rate multiplier a layer edit takes (the config's bound).
inline constexpr double kMaxLayerLrMultiplier = 100.0;

/// The plan `choice` gives `model`, then `edits` in path order, so a parent's
/// edit comes before its children's and each child keeps its own. Throws
/// PlanError for a block count the model does not have or for an edit naming
/// no module of `model` ("transfer.layers.features.9: no such layer in
/// small_cnn (see `transferlab-cli layers`)").
FreezePlan freeze_plan_for(const StrategyChoice& choice, const LayerEdits& edits, const TransferModelImpl& model);

/// Records that `path`'s subtree trains (or is frozen): an edit for `path`
/// and one for every entry of `plan` (the plan the edits give now) below it,
/// each keeping its learning-rate multiplier, so toggling a parent does not
/// lose its children's multipliers.
void set_subtree_trainable(LayerEdits& edits, const FreezePlan& plan, const std::string& path, bool trainable);

/// Sets only `path`'s own multiplier (clamped to [0, kMaxLayerLrMultiplier]),
/// keeping whether it trains under `plan`; its children keep theirs.
void set_layer_lr_multiplier(LayerEdits& edits, const FreezePlan& plan, const std::string& path, double multiplier);

/// The fewest subtrees that together are exactly `layers[first, last)`:
/// `layers` are module paths in pre-order (a parent before its subtree, the
/// root "" first), and a subtree straddling either end is descended into.
std::vector<std::string> covering_subtrees(const std::vector<std::string>& layers, size_t first, size_t last);

/// Freezes every layer up to and including `path`'s subtree, in the pre-order
/// of `layers`, and lets every later layer train. Returns false, leaving
/// `edits` as they are, when `path` is not among `layers`.
bool freeze_up_to(LayerEdits& edits, const FreezePlan& plan, const std::vector<std::string>& layers,
                  const std::string& path);

/// The opposite: every layer before `path` frozen, `path`'s subtree and
/// every later layer trainable. Returns false when `path` is not among `layers`.
bool unfreeze_from(LayerEdits& edits, const FreezePlan& plan, const std::vector<std::string>& layers,
                   const std::string& path);

/// Clears `edits` when the plan they give (`edited`) sets every path in
/// `layers` as the plan without them (`unedited`) does: edits that change
/// nothing would only mark the strategy as customised. Pass the layers that
/// own parameters; returns whether the edits were cleared.
bool drop_redundant_edits(LayerEdits& edits, const FreezePlan& edited, const FreezePlan& unedited,
                          const std::vector<std::string>& layers);

}  // namespace tl
