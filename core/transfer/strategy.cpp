#include "transfer/strategy.h"

#include <stdexcept>

namespace tl {
namespace {

struct StrategyText {
  Strategy strategy;
  const char* name;
  const char* title;
  StrategyOptionUse options;
  const char* explanation;
};

constexpr StrategyOptionUse kNoOptions{};
constexpr StrategyOptionUse kTopBlocks{/*blocks=*/true, /*blocks_from_input=*/false, /*lower_lr_multiplier=*/false};
constexpr StrategyOptionUse kTopBlocksAndLowerLr{true, false, true};
constexpr StrategyOptionUse kInputBlocksAndLowerLr{true, true, true};

const StrategyText kStrategies[] = {
    {Strategy::FeatureExtraction, "feature_extraction", "Feature extraction", kNoOptions,
     "Every pretrained layer is frozen and only the new classifier head learns. The network is "
     "used as a fixed feature extractor: cheap, hard to overfit with few labels, and the right "
     "choice when the target images look like the source images. If the domains differ, the "
     "frozen features may not fit the target and accuracy stays low."},
    {Strategy::PartialFineTuning, "partial_fine_tuning", "Partial fine-tuning", kTopBlocksAndLowerLr,
     "The top blocks and the new head train while the lower blocks stay frozen. Lower layers "
     "detect generic edges and textures that transfer well; higher layers are specific to the "
     "source classes and are adapted to the target. A good default when the domains are "
     "related but not the same, or when labels are few."},
    {Strategy::FullFineTuning, "full_fine_tuning", "Full fine-tuning", kNoOptions,
     "Every layer trains, starting from the pretrained weights instead of random ones. It can "
     "adapt most to the target but needs more labelled data and time, and with few labels it "
     "may overfit or forget what made the source features useful."},
    {Strategy::LayerReplacement, "layer_replacement", "Layer replacement", kTopBlocks,
     "The top blocks are thrown away and re-initialised, then trained with the new head, while "
     "the lower blocks stay frozen. Use it when the source task is unrelated: its high-level "
     "features would mislead the target (negative transfer), but its low-level filters still help."},
    {Strategy::SelectiveTransfer, "selective_transfer", "Selective transfer", kInputBlocksAndLowerLr,
     "Only the first K blocks keep their pretrained weights; every block above them starts again from "
     "random weights and learns the target from scratch. Counting from the input makes the question "
     "explicit: how deep do the source features stay useful? Transfer too few blocks and the target "
     "must learn everything itself; transfer too many and source-specific features can hurt it "
     "(negative transfer). Comparing several K shows where transferability ends."},
};

struct SimilarityText {
  Similarity similarity;
  const char* name;
  const char* explanation;
};

const SimilarityText kSimilarities[] = {
    {Similarity::High, "high",
     "The target looks like the source (same kind of images, similar classes). The pretrained "
     "features already separate the target classes: freeze them and train only a new head."},
    {Similarity::Moderate, "moderate",
     "The target shares low-level structure with the source but its classes or look differ. "
     "Keep the generic lower layers frozen and fine-tune the top of the network."},
    {Similarity::Low, "low",
     "The target has little in common with the source. High-level source features can hurt "
     "(negative transfer): replace the top of the network and keep only the lowest layers."},
};

const StrategyText& strategy_text(Strategy s) {
  for (const auto& t : kStrategies) {
    if (t.strategy == s) return t;
  }
  throw std::logic_error("unknown strategy");
}

const SimilarityText& similarity_text(Similarity s) {
  for (const auto& t : kSimilarities) {
    if (t.similarity == s) return t;
  }
  throw std::logic_error("unknown similarity");
}

// The block count `s` uses, checked against the model's blocks.
int checked_block_count(const StrategyOptions& options, int64_t num_blocks, Strategy s) {
  const int count = block_count(options, s);
  if (count < 1 || count > num_blocks) {
    throw PlanError(block_count_field(s), "expected 1.." + std::to_string(num_blocks) + " for " + strategy_name(s) +
                                              ", got " + std::to_string(count));
  }
  return count;
}

void set_block(FreezePlan& plan, const Block& block, LayerSetting setting) {
  for (const auto& path : block.paths) plan.set(path, setting);
}

}  // namespace

const std::vector<Strategy>& all_strategies() {
  static const std::vector<Strategy> all = {Strategy::FeatureExtraction, Strategy::PartialFineTuning,
                                            Strategy::FullFineTuning, Strategy::LayerReplacement,
                                            Strategy::SelectiveTransfer};
  return all;
}

StrategyOptionUse strategy_option_use(Strategy s) { return strategy_text(s).options; }

int& block_count(StrategyOptions& options, Strategy s) {
  return strategy_option_use(s).blocks_from_input ? options.transferred_blocks : options.top_blocks;
}

int block_count(const StrategyOptions& options, Strategy s) {
  return strategy_option_use(s).blocks_from_input ? options.transferred_blocks : options.top_blocks;
}

std::string block_count_field(Strategy s) {
  return strategy_option_use(s).blocks_from_input ? "transfer.transferred_blocks" : "transfer.top_blocks";
}

std::string strategy_name(Strategy s) { return strategy_text(s).name; }
std::string strategy_title(Strategy s) { return strategy_text(s).title; }
std::string strategy_explanation(Strategy s) { return strategy_text(s).explanation; }

Strategy strategy_from_name(const std::string& name) {
  std::string known;
  for (const auto& t : kStrategies) {
    if (name == t.name) return t.strategy;
    known += std::string(known.empty() ? "" : ", ") + t.name;
  }
  throw std::invalid_argument("unknown strategy '" + name + "' (expected one of " + known + ")");
}

const std::vector<Similarity>& all_similarities() {
  static const std::vector<Similarity> all = {Similarity::High, Similarity::Moderate, Similarity::Low};
  return all;
}

std::string similarity_name(Similarity s) { return similarity_text(s).name; }
std::string similarity_explanation(Similarity s) { return similarity_text(s).explanation; }

Similarity similarity_from_name(const std::string& name) {
  for (const auto& t : kSimilarities) {
    if (name == t.name) return t.similarity;
  }
  throw std::invalid_argument("unknown similarity '" + name + "' (expected one of high, moderate, low)");
}

StrategyChoice default_strategy(Similarity similarity) {
  switch (similarity) {
    case Similarity::High:
      return {Strategy::FeatureExtraction, {}};
    case Similarity::Moderate:
      return {Strategy::PartialFineTuning, {/*top_blocks=*/1, /*lower_lr_multiplier=*/0.0}};
    case Similarity::Low:
      return {Strategy::LayerReplacement, {/*top_blocks=*/1, /*lower_lr_multiplier=*/0.0}};
  }
  throw std::logic_error("unknown similarity");
}

FreezePlan make_plan(Strategy strategy, const TransferModelImpl& model, const StrategyOptions& options) {
  const auto blocks = model.blocks();
  const auto num_blocks = static_cast<int64_t>(blocks.size());
  const LayerSetting frozen{false, 1.0};
  const LayerSetting trains{true, 1.0};

  FreezePlan plan;
  switch (strategy) {
    case Strategy::FeatureExtraction:
      plan.set("", frozen);
      break;
    case Strategy::FullFineTuning:
      plan.set("", trains);
      break;
    case Strategy::PartialFineTuning: {
      const int top = checked_block_count(options, num_blocks, strategy);
      const LayerSetting below = options.lower_lr_multiplier > 0.0
                                     ? LayerSetting{true, options.lower_lr_multiplier}
                                     : frozen;
      plan.set("", below);
      for (int64_t i = num_blocks - top; i < num_blocks; ++i) set_block(plan, blocks[i], trains);
      break;
    }
    case Strategy::LayerReplacement: {
      const int top = checked_block_count(options, num_blocks, strategy);
      plan.set("", frozen);
      for (int64_t i = num_blocks - top; i < num_blocks; ++i) {
        set_block(plan, blocks[i], trains);
        for (const auto& path : blocks[i].paths) plan.add_reinitialized(path);
      }
      break;
    }
    case Strategy::SelectiveTransfer: {
      const int kept = checked_block_count(options, num_blocks, strategy);
      plan.set("", options.lower_lr_multiplier > 0.0 ? LayerSetting{true, options.lower_lr_multiplier} : frozen);
      for (int64_t i = kept; i < num_blocks; ++i) {
        set_block(plan, blocks[i], trains);
        for (const auto& path : blocks[i].paths) plan.add_reinitialized(path);
      }
      break;
    }
  }
  // The head is new for the target task: it always trains at the base rate.
  plan.set(model.head_path(), trains);
  return plan;
}

}  // namespace tl
