#include "schedule/training_schedule.h"

#include <cmath>
#include <stdexcept>

namespace tl {
namespace {

template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

const std::vector<Named<UnfreezeKind>>& unfreeze_names() {
  static const std::vector<Named<UnfreezeKind>> names = {
      {UnfreezeKind::None, "none"}, {UnfreezeKind::Gradual, "gradual"}, {UnfreezeKind::TwoPhase, "two_phase"}};
  return names;
}

const std::vector<Named<LrShape>>& lr_shape_names() {
  static const std::vector<Named<LrShape>> names = {{LrShape::Constant, "constant"},
                                                     {LrShape::Step, "step"},
                                                     {LrShape::Cosine, "cosine"},
                                                     {LrShape::OneCycle, "one_cycle"}};
  return names;
}

template <typename Enum>
std::string name_of(const std::vector<Named<Enum>>& names, Enum value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "";
}

// "unknown learning-rate shape 'x' (expected constant, step, cosine or one_cycle)"
template <typename Enum>
Enum value_of(const std::vector<Named<Enum>>& names, const std::string& name, const std::string& what) {
  std::string listed;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].name == name) return names[i].value;
    listed += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i].name);
  }
  throw std::invalid_argument("unknown " + what + " '" + name + "' (expected " + listed + ")");
}

template <typename Enum>
std::vector<Enum> values_of(const std::vector<Named<Enum>>& names) {
  std::vector<Enum> values;
  for (const auto& n : names) values.push_back(n.value);
  return values;
}

bool covers(const std::string& prefix, const std::string& path) { return is_path_prefix(prefix, path); }

// The parameters of `model` under any of `paths`, in the model's order.
std::vector<std::string> parameters_under(const TransferModelImpl& model, const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) {
    for (const auto& path : paths) {
      if (covers(path, p.key())) {
        names.push_back(p.key());
        break;
      }
    }
  }
  return names;
}

bool trains(const LayerSetting& s) { return s.trainable && s.lr_multiplier > 0.0; }

// The multiplier of the first parameter under `paths` that trains; 0 when none does.
double training_multiplier(const FreezePlan& plan, const TransferModelImpl& model,
                           const std::vector<std::string>& paths) {
  for (const auto& name : parameters_under(model, paths)) {
    const LayerSetting s = plan.setting_for(name);
    if (trains(s)) return s.lr_multiplier;
  }
  return 0.0;
}

bool block_trains(const FreezePlan& plan, const TransferModelImpl& model, const Block& block) {
  return training_multiplier(plan, model, block.paths) > 0.0;
}

// Re-initialised blocks are new layers: like the head, a schedule never holds them back.
bool block_is_new(const FreezePlan& plan, const Block& block) {
  for (const auto& path : block.paths) {
    bool covered = false;
    for (const auto& fresh : plan.reinitialized()) covered = covered || covers(fresh, path);
    if (!covered) return false;
  }
  return true;
}

// Multiplies every learning-rate multiplier in `block`'s subtrees by `factor`,
// keeping what trains and the ratios the plan sets inside the block.
void scale_block(FreezePlan& plan, const Block& block, double factor) {
  for (const auto& path : block.paths) {
    std::vector<std::pair<std::string, double>> below;
    for (const auto& [entry, setting] : plan.entries()) {
      if (entry != path && covers(path, entry)) below.emplace_back(entry, setting.lr_multiplier);
    }
    plan.set_lr_multiplier(path, plan.setting_for(path).lr_multiplier * factor);
    for (const auto& [entry, multiplier] : below) plan.set_lr_multiplier(entry, multiplier * factor);
  }
}

void hold_frozen(FreezePlan& plan, const Block& block) {
  for (const auto& path : block.paths) plan.set(path, {false, plan.setting_for(path).lr_multiplier});
}

// Indices of the blocks a schedule may hold back: pretrained blocks that the
// final plan trains, from the top down.
std::vector<size_t> thawable_from_top(const FreezePlan& plan, const TransferModelImpl& model,
                                      const std::vector<Block>& blocks) {
  std::vector<size_t> indices;
  for (size_t i = blocks.size(); i-- > 0;) {
    if (!block_is_new(plan, blocks[i]) && block_trains(plan, model, blocks[i])) indices.push_back(i);
  }
  return indices;
}

}  // namespace

std::string unfreeze_name(UnfreezeKind kind) { return name_of(unfreeze_names(), kind); }
UnfreezeKind unfreeze_from_name(const std::string& name) {
  return value_of(unfreeze_names(), name, "unfreeze schedule");
}
std::string lr_shape_name(LrShape shape) { return name_of(lr_shape_names(), shape); }
LrShape lr_shape_from_name(const std::string& name) { return value_of(lr_shape_names(), name, "learning-rate shape"); }

const std::vector<UnfreezeKind>& all_unfreeze_kinds() {
  static const std::vector<UnfreezeKind> kinds = values_of(unfreeze_names());
  return kinds;
}

const std::vector<LrShape>& all_lr_shapes() {
  static const std::vector<LrShape> shapes = values_of(lr_shape_names());
  return shapes;
}

double LrSchedule::factor(int64_t step, int64_t total_steps, int64_t batches_per_epoch) const {
  switch (shape) {
    case LrShape::Constant:
      return 1.0;
    case LrShape::Step: {
      const int64_t epoch_index = batches_per_epoch > 0 ? step / batches_per_epoch : 0;
      return std::pow(gamma, static_cast<double>(epoch_index / std::max(step_epochs, 1)));
    }
    case LrShape::Cosine:
      if (total_steps <= 0) return 1.0;
      return 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total_steps)));
    case LrShape::OneCycle: {
      // ULMFiT's slanted triangular rate: a short linear rise to the peak, a long linear fall.
      const auto cut = static_cast<int64_t>(std::floor(static_cast<double>(total_steps) * warmup_fraction));
      double p = 1.0;
      if (step < cut) {
        p = static_cast<double>(step) / static_cast<double>(cut);
      } else if (total_steps > cut) {
        p = 1.0 - static_cast<double>(step - cut) / static_cast<double>(total_steps - cut);
      }
      return (1.0 + p * (peak_ratio - 1.0)) / peak_ratio;
    }
  }
  return 1.0;
}

bool LrSchedule::operator==(const LrSchedule& o) const {
  return shape == o.shape && step_epochs == o.step_epochs && gamma == o.gamma &&
         warmup_fraction == o.warmup_fraction && peak_ratio == o.peak_ratio;
}

bool TrainingSchedule::is_default() const { return *this == TrainingSchedule{}; }

bool TrainingSchedule::operator==(const TrainingSchedule& o) const {
  return unfreeze == o.unfreeze && unfreeze_every == o.unfreeze_every && head_epochs == o.head_epochs &&
         lr_mult == o.lr_mult && layer_decay == o.layer_decay && lr == o.lr;
}

FreezePlan plan_at_epoch(const FreezePlan& final_plan, const TransferModelImpl& model, const TrainingSchedule& s,
                         int epoch) {
  const std::vector<Block> blocks = model.blocks();
  const auto n = static_cast<int64_t>(blocks.size());
  const std::vector<size_t> thawable = thawable_from_top(final_plan, model, blocks);
  FreezePlan plan = final_plan;
  // Block i sits n - i ranks below the head.
  if (s.layer_decay != 1.0) {
    for (int64_t i = 0; i < n; ++i) scale_block(plan, blocks[i], std::pow(s.layer_decay, static_cast<double>(n - i)));
  }
  size_t thawed = thawable.size();
  if (s.unfreeze == UnfreezeKind::Gradual) {
    thawed = static_cast<size_t>(std::max(epoch - 1, 0) / std::max(s.unfreeze_every, 1));
  } else if (s.unfreeze == UnfreezeKind::TwoPhase) {
    thawed = epoch <= s.head_epochs ? 0 : thawable.size();
    if (thawed > 0 && s.lr_mult != 1.0) {
      // fastai's slice(lr / lr_mult, lr): geometric from the head down to the lowest pretrained block.
      const double lowest_rank = static_cast<double>(n - static_cast<int64_t>(thawable.back()));
      for (const size_t i : thawable) {
        scale_block(plan, blocks[i], std::pow(s.lr_mult, -static_cast<double>(n - static_cast<int64_t>(i)) / lowest_rank));
      }
    }
  }
  for (size_t k = thawed; k < thawable.size(); ++k) hold_frozen(plan, blocks[thawable[k]]);
  return plan;
}

std::vector<TimelineRow> schedule_timeline(const FreezePlan& final_plan, const TransferModelImpl& model,
                                           const TrainingSchedule& s, int epochs, double base_lr,
                                           int64_t batches_per_epoch) {
  std::vector<TimelineRow> rows;
  for (const auto& block : model.blocks()) rows.push_back({block.name, {}});
  rows.push_back({"head", {}});
  const std::vector<Block> blocks = model.blocks();
  const int64_t total = static_cast<int64_t>(epochs) * batches_per_epoch;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const FreezePlan plan = plan_at_epoch(final_plan, model, s, epoch);
    const double rate = base_lr * s.lr.factor((epoch - 1) * batches_per_epoch, total, batches_per_epoch);
    for (size_t i = 0; i < blocks.size(); ++i) rows[i].lr.push_back(rate * training_multiplier(plan, model, blocks[i].paths));
    rows.back().lr.push_back(rate * training_multiplier(plan, model, {model.head_path()}));
  }
  return rows;
}

nlohmann::json schedule_to_json(const TrainingSchedule& s) {
  return {{"unfreeze", unfreeze_name(s.unfreeze)},
          {"unfreeze_every", s.unfreeze_every},
          {"head_epochs", s.head_epochs},
          {"lr_mult", s.lr_mult},
          {"layer_decay", s.layer_decay},
          {"lr",
           {{"shape", lr_shape_name(s.lr.shape)},
            {"step_epochs", s.lr.step_epochs},
            {"gamma", s.lr.gamma},
            {"warmup_fraction", s.lr.warmup_fraction},
            {"peak_ratio", s.lr.peak_ratio}}}};
}

}  // namespace tl
