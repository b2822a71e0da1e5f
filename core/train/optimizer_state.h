#pragma once

#include <nlohmann/json.hpp>
#include <torch/optim/optimizer.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tl {

/// Parameters under stable names ("model/layer1.0.conv1.weight", ...). The
/// optimizer keys its state by tensor address, which a rebuilt optimizer or
/// another process does not share; names survive both.
using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

/// Per-parameter optimizer state by parameter name: SGD's momentum buffer,
/// Adam's step count and moments.
using OptimizerStates = std::map<std::string, std::unique_ptr<torch::optim::OptimizerParamState>>;

/// Copies of the optimizer's state of each named parameter that has one.
OptimizerStates take_optimizer_states(const torch::optim::Optimizer& optimizer, const NamedParameters& params);

/// Gives each named parameter that is in one of the optimizer's groups its
/// saved state; states of parameters the optimizer does not train are dropped.
void put_optimizer_states(torch::optim::Optimizer& optimizer, const NamedParameters& params,
                          const OptimizerStates& states);

/// The states as tensors named "optimizer/<parameter>/<field>" (added to
/// `tensors`) plus Adam's step counts as {parameter: step}.
nlohmann::json optimizer_states_to_tensors(const OptimizerStates& states,
                                           std::map<std::string, torch::Tensor>& tensors);

/// Reads what optimizer_states_to_tensors wrote, as SGD or Adam states.
/// Throws naming the parameter when a state is incomplete.
OptimizerStates optimizer_states_from_tensors(bool adam, const std::map<std::string, torch::Tensor>& tensors,
                                              const nlohmann::json& steps);

}  // namespace tl
