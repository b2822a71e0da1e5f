#pragma once

#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "support/test_dir.h"
#include "weights/checkpoint.h"

#include <torch/torch.h>

#include <string>

namespace tl::test {

/// A small_cnn checkpoint with a two-class head (T-shirt/top, Trouser) and
/// seeded random weights, saved in `dir`: "pretrained" enough for a config
/// to have a twin, without the minutes of real pretraining.
inline std::string small_checkpoint(const TestDir& dir) {
  const std::string path = dir.path("small_cnn.safetensors");
  torch::manual_seed(5);
  auto model = make_model("small_cnn", 2);
  Checkpoint ckpt;
  ckpt.metadata.architecture = "small_cnn";
  ckpt.metadata.class_names = {"T-shirt/top", "Trouser"};
  ckpt.metadata.normalization_mean = {0.3};
  ckpt.metadata.normalization_std = {0.35};
  ckpt.tensors = state_dict(*model);
  save_checkpoint(ckpt, path);
  return path;
}

}  // namespace tl::test
