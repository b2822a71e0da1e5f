#include "train/feature_cache.h"

#include <torch/torch.h>

namespace tl {

int64_t frozen_prefix_blocks(const TransferModelImpl& model, const FreezePlan& plan) {
  const auto params = model.named_parameters(/*recurse=*/true);
  int64_t prefix = 0;
  for (const auto& block : model.blocks()) {
    for (const auto& path : block.paths) {
      for (const auto& reinit : plan.reinitialized()) {
        if (is_path_prefix(reinit, path) || is_path_prefix(path, reinit)) return prefix;
      }
      for (const auto& p : params) {
        if (is_path_prefix(path, p.key()) && plan.setting_for(p.key()).trainable) return prefix;
      }
    }
    ++prefix;
  }
  return prefix;
}

Dataset precompute_prefix(TransferModelImpl& model, const Dataset& data, int64_t blocks,
                          int64_t batch_size) {
  if (blocks == 0 || data.size() == 0) return data;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<torch::Tensor> chunks;
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t end = std::min(start + batch_size, data.size());
    chunks.push_back(model.run_blocks(data.images.slice(0, start, end), 0, blocks));
  }
  model.train(was_training);
  Dataset cached = data;
  cached.images = torch::cat(chunks, 0);
  return cached;
}

int64_t prefix_cache_bytes(TransferModelImpl& model, const Dataset& data, int64_t blocks) {
  if (blocks == 0 || data.size() == 0) return 0;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  auto one = model.run_blocks(data.images.slice(0, 0, 1), 0, blocks);
  model.train(was_training);
  return one.numel() * static_cast<int64_t>(sizeof(float)) * data.size();
}

}  // namespace tl
