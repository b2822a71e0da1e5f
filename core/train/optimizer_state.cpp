#include "train/optimizer_state.h"

#include <c10/util/C++17.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <stdexcept>

namespace tl {
namespace {

const std::string kPrefix = "optimizer/";

// The key LibTorch's optimizers file a parameter's state under (optimizer.h, 1.13).
std::string state_key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

torch::Tensor copy_of(const torch::Tensor& t) { return t.defined() ? t.detach().clone() : t; }

std::unique_ptr<torch::optim::OptimizerParamState> clone_state(const torch::optim::OptimizerParamState& state) {
  if (const auto* sgd = dynamic_cast<const torch::optim::SGDParamState*>(&state)) {
    auto copy = std::make_unique<torch::optim::SGDParamState>();
    copy->momentum_buffer(copy_of(sgd->momentum_buffer()));
    return copy;
  }
  if (const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(&state)) {
    auto copy = std::make_unique<torch::optim::AdamParamState>();
    copy->step(adam->step());
    copy->exp_avg(copy_of(adam->exp_avg()));
    copy->exp_avg_sq(copy_of(adam->exp_avg_sq()));
    copy->max_exp_avg_sq(copy_of(adam->max_exp_avg_sq()));
    return copy;
  }
  throw std::logic_error("optimizer state: only SGD and Adam states are supported");
}

torch::Tensor required(const std::map<std::string, torch::Tensor>& tensors, const std::string& name) {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error(name + ": missing from the checkpoint");
  return it->second.clone();
}

torch::Tensor optional_tensor(const std::map<std::string, torch::Tensor>& tensors, const std::string& name) {
  const auto it = tensors.find(name);
  return it == tensors.end() ? torch::Tensor() : it->second.clone();
}

}  // namespace

OptimizerStates take_optimizer_states(const torch::optim::Optimizer& optimizer, const NamedParameters& params) {
  OptimizerStates states;
  for (const auto& [name, p] : params) {
    const auto it = optimizer.state().find(state_key(p));
    if (it != optimizer.state().end()) states.emplace(name, clone_state(*it->second));
  }
  return states;
}

void put_optimizer_states(torch::optim::Optimizer& optimizer, const NamedParameters& params,
                          const OptimizerStates& states) {
  std::map<std::string, const torch::Tensor*> trained;  // by state key
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) trained.emplace(state_key(p), &p);
  }
  optimizer.state().clear();
  for (const auto& [name, p] : params) {
    const auto saved = states.find(name);
    if (saved == states.end() || !trained.count(state_key(p))) continue;
    optimizer.state()[state_key(p)] = clone_state(*saved->second);
  }
}

nlohmann::json optimizer_states_to_tensors(const OptimizerStates& states,
                                           std::map<std::string, torch::Tensor>& tensors) {
  nlohmann::json steps = nlohmann::json::object();
  const auto put = [&](const std::string& name, const char* field, const torch::Tensor& t) {
    if (t.defined()) tensors[kPrefix + name + "/" + field] = t.detach().contiguous();
  };
  for (const auto& [name, state] : states) {
    if (const auto* sgd = dynamic_cast<const torch::optim::SGDParamState*>(state.get())) {
      put(name, "momentum_buffer", sgd->momentum_buffer());
    } else if (const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(state.get())) {
      steps[name] = adam->step();
      put(name, "exp_avg", adam->exp_avg());
      put(name, "exp_avg_sq", adam->exp_avg_sq());
      put(name, "max_exp_avg_sq", adam->max_exp_avg_sq());
    }
  }
  return steps;
}

OptimizerStates optimizer_states_from_tensors(bool adam, const std::map<std::string, torch::Tensor>& tensors,
                                              const nlohmann::json& steps) {
  OptimizerStates states;
  if (adam) {
    for (const auto& [name, step] : steps.items()) {
      auto state = std::make_unique<torch::optim::AdamParamState>();
      state->step(step.get<int64_t>());
      state->exp_avg(required(tensors, kPrefix + name + "/exp_avg"));
      state->exp_avg_sq(required(tensors, kPrefix + name + "/exp_avg_sq"));
      state->max_exp_avg_sq(optional_tensor(tensors, kPrefix + name + "/max_exp_avg_sq"));
      states.emplace(name, std::move(state));
    }
    return states;
  }
  const std::string suffix = "/momentum_buffer";
  for (const auto& [key, tensor] : tensors) {
    if (key.rfind(kPrefix, 0) != 0 || key.size() <= kPrefix.size() + suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    auto state = std::make_unique<torch::optim::SGDParamState>();
    state->momentum_buffer(tensor.clone());
    states.emplace(key.substr(kPrefix.size(), key.size() - kPrefix.size() - suffix.size()), std::move(state));
  }
  return states;
}

}  // namespace tl
