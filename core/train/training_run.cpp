#include "train/training_run.h"

#include "train/weight_memory_format.h"

namespace tl {

std::vector<torch::Tensor> RunMitigations::extra_parameters() const {
  std::vector<torch::Tensor> params;
  if (domain) params = domain->parameters();
  if (source_head) {
    for (const auto& p : source_head->parameters()) params.push_back(p);
  }
  return params;
}

void RunMitigations::train() {
  if (domain) domain->train();
  if (source_head) source_head->train();
}

NamedParameters TrainingRun::named_parameters() const {
  NamedParameters params;
  for (const auto& p : model.named_parameters(/*recurse=*/true)) params.emplace_back("model/" + p.key(), p.value());
  if (mitigations.domain) {
    for (const auto& p : mitigations.domain->named_parameters(/*recurse=*/true)) {
      params.emplace_back("domain/" + p.key(), p.value());
    }
  }
  if (mitigations.source_head) {
    for (const auto& p : mitigations.source_head->named_parameters(/*recurse=*/true)) {
      params.emplace_back("source_head/" + p.key(), p.value());
    }
  }
  return params;
}

void TrainingRun::use_channels_last(bool on) {
  channels_last = on;
  set_weight_memory_format(model, on ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
}

}  // namespace tl
