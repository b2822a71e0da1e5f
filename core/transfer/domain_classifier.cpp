#include "transfer/domain_classifier.h"

#include <torch/nn/functional/activation.h>

#include <stdexcept>
#include <string>

namespace tl {
namespace {

int64_t checked(int64_t value, const char* what) {
  if (value < 1) throw std::invalid_argument(std::string("domain classifier: ") + what + " must be >= 1");
  return value;
}

}  // namespace

DomainClassifierImpl::DomainClassifierImpl(int64_t feature_dim, int64_t hidden)
    : fc1(register_module("fc1", torch::nn::Linear(checked(feature_dim, "feature_dim"), checked(hidden, "hidden")))),
      fc2(register_module("fc2", torch::nn::Linear(hidden, hidden))),
      out(register_module("out", torch::nn::Linear(hidden, 1))) {}

torch::Tensor DomainClassifierImpl::forward(torch::Tensor features) {
  auto h = torch::relu(fc1->forward(features));
  h = torch::relu(fc2->forward(h));
  return out->forward(h).squeeze(1);
}

}  // namespace tl
