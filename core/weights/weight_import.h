#pragma once

#include "models/transfer_model.h"

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tl {

/// A tensor present in both the file and the model with different shapes.
struct ShapeMismatch {
  std::string name;
  std::vector<int64_t> model_shape;
  std::vector<int64_t> file_shape;
};

/// What an import did, tensor by tensor (dotted names; the model's in state-dict
/// order, the unexpected ones in name order).
struct ImportReport {
  std::vector<std::string> loaded;      ///< copied into the model
  std::vector<std::string> missing;     ///< in the model, not in the file: left as they were
  std::vector<std::string> unexpected;  ///< in the file, not in the model: ignored
  std::vector<ShapeMismatch> mismatched;  ///< in both with other shapes: left as they were
  /// True when some head tensor was not loaded (other classes, or no head in
  /// the file): the model keeps its freshly initialised head.
  bool head_replaced = false;

  /// One line: "loaded 120 tensors; head replaced (fc.weight: file [1000, 512], model [10, 512]); ..."
  std::string summary() const;
};

struct ImportOptions {
  /// Load what fits and report the rest instead of throwing when tensors
  /// outside the classifier head are missing, unexpected or of other shapes.
  bool allow_partial = false;
};

/// Copies `tensors` into `model`'s parameters and buffers by name. Differences
/// inside the head (model.head_path()) are the normal case of a new task and
/// only reported; anywhere else they throw (starting with `origin`, naming the
/// first few) unless options.allow_partial, and then nothing is copied.
ImportReport import_named_tensors(const std::map<std::string, torch::Tensor>& tensors, TransferModelImpl& model,
                                  const std::string& origin, ImportOptions options = {});

/// Imports the parameters and buffers of a TorchScript file (torch.jit.save of
/// a scripted or traced PyTorch model, e.g. a torchvision one). Throws starting
/// with `path` when it cannot be read.
ImportReport import_torchscript(const std::string& path, TransferModelImpl& model, ImportOptions options = {});

/// Imports the tensors of a safetensors file (e.g. safetensors.torch.save_file
/// of a PyTorch state_dict) by name, with the same rules. Throws starting with
/// `path` when it cannot be read.
ImportReport import_safetensors(const std::string& path, TransferModelImpl& model, ImportOptions options = {});

/// The parameters and buffers of a TorchScript file by dotted name.
std::map<std::string, torch::Tensor> read_torchscript_tensors(const std::string& path);

}  // namespace tl
