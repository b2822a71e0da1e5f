#pragma once

#include "models/transfer_model.h"
#include "transfer/freeze_plan.h"
#include "transfer/plan_error.h"

#include <string>
#include <vector>

namespace tl {

/// How similar the target domain is to the source, as the user judges it
/// (or as the similarity meter suggests).
enum class Similarity { High, Moderate, Low };

/// Transfer strategies. Each one is a function that produces a FreezePlan.
enum class Strategy { FeatureExtraction, PartialFineTuning, FullFineTuning, LayerReplacement, SelectiveTransfer };

struct StrategyOptions {
  /// Partial fine-tuning: blocks (from the top) that train with the head.
  /// Layer replacement: blocks (from the top) that are re-initialised.
  int top_blocks = 1;
  /// Partial fine-tuning: learning-rate multiplier of the blocks below the top
  /// ones; 0 freezes them. Selective transfer: that of the transferred blocks.
  double lower_lr_multiplier = 0.0;
  /// Selective transfer: blocks (from the input) that keep their pretrained
  /// weights; the blocks above them are re-initialised.
  int transferred_blocks = 1;
};

/// Which StrategyOptions a strategy reads: one table for the config, the
/// session and the strategy panel.
struct StrategyOptionUse {
  bool blocks = false;               ///< reads a block count (see block_count)
  bool blocks_from_input = false;    ///< that count is of blocks kept from the input, not blocks from the top
  bool lower_lr_multiplier = false;  ///< reads lower_lr_multiplier
};
StrategyOptionUse strategy_option_use(Strategy s);

/// The option holding `s`'s block count: transferred_blocks when it counts
/// from the input, else top_blocks (also for strategies that read none, so a
/// count chosen there carries over to the next strategy).
int& block_count(StrategyOptions& options, Strategy s);
int block_count(const StrategyOptions& options, Strategy s);
/// The config field of that count: "transfer.top_blocks" or "transfer.transferred_blocks".
std::string block_count_field(Strategy s);

const std::vector<Strategy>& all_strategies();
std::string strategy_name(Strategy s);        ///< config name: "feature_extraction", ...
std::string strategy_title(Strategy s);       ///< display name: "Feature extraction", ...
std::string strategy_explanation(Strategy s); ///< one paragraph for a student
Strategy strategy_from_name(const std::string& name);  ///< throws listing the names

const std::vector<Similarity>& all_similarities();
std::string similarity_name(Similarity s);     ///< "high", "moderate", "low"
std::string similarity_explanation(Similarity s);
Similarity similarity_from_name(const std::string& name);

/// The strategy and options recommended for a similarity level.
struct StrategyChoice {
  Strategy strategy;
  StrategyOptions options;
};
StrategyChoice default_strategy(Similarity similarity);

/// The plan a strategy gives for `model` (whose head has already been
/// replaced for the target task):
/// - feature extraction: every block frozen, the head trains;
/// - partial fine-tuning: the head and the top `top_blocks` blocks train, the
///   blocks below are frozen (or train at `lower_lr_multiplier` when > 0);
/// - full fine-tuning: everything trains;
/// - layer replacement: the top `top_blocks` blocks are re-initialised and
///   train with the head, the blocks below are frozen;
/// - selective transfer: the first `transferred_blocks` blocks keep their
///   pretrained weights (frozen, or training at `lower_lr_multiplier` when
///   > 0), every block above them is re-initialised and trains.
/// Throws PlanError naming transfer.top_blocks or transfer.transferred_blocks
/// when the count a strategy uses is outside [1, number of blocks].
FreezePlan make_plan(Strategy strategy, const TransferModelImpl& model, const StrategyOptions& options = {});

}  // namespace tl
