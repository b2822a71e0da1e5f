#include "models/transfer_model.h"

#include "models/model_checks.h"
#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "models/weight_init.h"

#include <map>
#include <stdexcept>

namespace tl {

namespace {

/// The module at dotted `path` below `root` ("" is the root), or nullptr.
torch::nn::Module* find_module(torch::nn::Module& root, const std::string& path) {
  if (path.empty()) return &root;
  for (const auto& item : root.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (item.key() == path) return item.value().get();
  }
  return nullptr;
}

/// The model's tensors under `path`.
std::vector<std::pair<std::string, torch::Tensor>> tensors_under(const torch::nn::Module& model,
                                                                 const std::string& path) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& item : named_tensors(model)) {
    if (is_under_path(item.first, path)) out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

void TransferModelImpl::reset_module(const std::string& path) {
  torch::nn::Module* target = find_module(*this, path);
  if (target == nullptr) throw std::invalid_argument("no layer '" + path + "' in " + architecture_);

  // Preferred: copy from a freshly built model of the same architecture, so a
  // reset after manual_seed(s) gives exactly the weights make_model gives after
  // manual_seed(s). Models the zoo cannot rebuild are re-initialised in place.
  const auto own = tensors_under(*this, path);
  TransferModel fresh{nullptr};
  try {
    fresh = make_model(architecture_, num_classes(), input_shape());
  } catch (const std::exception&) {
    init_weights(*target);
    return;
  }
  std::map<std::string, torch::Tensor> fresh_tensors;
  for (auto& item : named_tensors(*fresh)) fresh_tensors.insert(std::move(item));
  for (const auto& [name, tensor] : own) {
    auto it = fresh_tensors.find(name);
    if (it == fresh_tensors.end() || !it->second.sizes().equals(tensor.sizes())) {
      init_weights(*target);
      return;
    }
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : own) tensor.copy_(fresh_tensors.at(name));
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) total += p.numel();
  return total;
}

}  // namespace tl
