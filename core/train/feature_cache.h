#pragma once

#include "data/dataset.h"
#include "models/transfer_model.h"
#include "transfer/freeze_plan.h"

#include <cstdint>

namespace tl {

/// The number of leading blocks whose output can be computed once and reused
/// every epoch: all their parameters frozen and none re-initialised. Such a
/// prefix is a fixed function of the input (it runs in eval mode), so its
/// activations are the same in every epoch.
int64_t frozen_prefix_blocks(const TransferModelImpl& model, const FreezePlan& plan);

/// Activations of `data` after blocks [0, blocks) in eval mode without grad,
/// as a Dataset whose images are those activations (labels kept). Returns
/// `data` unchanged when blocks == 0.
Dataset precompute_prefix(TransferModelImpl& model, const Dataset& data, int64_t blocks,
                          int64_t batch_size = 256);

/// Bytes the cached activations of `data`'s images after `blocks` blocks take.
int64_t prefix_cache_bytes(TransferModelImpl& model, const Dataset& data, int64_t blocks);

}  // namespace tl
