// transferlab-cli predict: classify image files with a checkpoint, an exported
// run model or an imported torchvision export.
#include "cli_commands.h"

#include "data/image_file.h"
#include "experiment/preprocessing.h"
#include "models/model_zoo.h"
#include "weights/checkpoint.h"
#include "weights/checkpoint_import.h"
#include "weights/pretrained_catalog.h"
#include "weights/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace tl::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::optional<std::string> arch;
  int64_t top = 5;
  bool logits = false;
  std::vector<std::string> images;
};

PredictArgs parse_predict_args(const std::vector<std::string>& args) {
  PredictArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--logits") {
      parsed.logits = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      parsed.images.push_back(a);
      continue;
    }
    if (a != "--model" && a != "--arch" && a != "--top") throw UsageError{"unknown option '" + a + "'"};
    if (i + 1 >= args.size()) throw UsageError{a + " needs a value"};
    const std::string& value = args[++i];
    if (a == "--model") parsed.model = value;
    if (a == "--arch") parsed.arch = value;
    if (a == "--top") {
      try {
        size_t used = 0;
        parsed.top = std::stoll(value, &used);
        if (used != value.size() || parsed.top < 1) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        throw UsageError{"--top: expected an integer >= 1, got '" + value + "'"};
      }
    }
  }
  if (parsed.model.empty() || parsed.images.empty()) throw UsageError{"predict needs --model FILE and IMAGE..."};
  return parsed;
}

/// A model ready to classify and what it needs to know about its input.
struct Classifier {
  TransferModel model{nullptr};
  CheckpointMetadata metadata;
};

bool is_transferlab_checkpoint(const std::string& path) {
  if (std::filesystem::path(path).extension() != ".safetensors") return false;
  return read_safetensors(path).metadata.count("transferlab") > 0;
}

/// A TorchScript export or a plain safetensors state dict of a torchvision
/// architecture: ImageNet's input and preprocessing, the file's own head.
Classifier import_for_prediction(const std::string& path, const std::string& arch) {
  // Strict: a partially loaded model would predict nonsense.
  const ImportedCheckpoint imported = import_checkpoint(path, arch, /*created=*/"");
  if (imported.report.head_replaced) {
    throw std::runtime_error(path + ": its classifier head does not fit " + arch +
                             ", so it cannot predict classes (" + imported.report.summary() + ")");
  }
  return {model_from_checkpoint(imported.checkpoint), imported.checkpoint.metadata};
}

Classifier load_classifier(const PredictArgs& args) {
  const std::string path = resolve_checkpoint(args.model);
  if (!is_transferlab_checkpoint(path)) {
    if (!args.arch) {
      throw UsageError{args.model + " is not a Transfer Lab checkpoint; name its architecture with --arch (" +
                       [] {
                         std::string names;
                         for (const auto& n : architecture_names()) names += (names.empty() ? "" : ", ") + n;
                         return names;
                       }() +
                       ")"};
    }
    return import_for_prediction(path, *args.arch);
  }
  Classifier c;
  const Checkpoint checkpoint = load_checkpoint(path);
  if (args.arch && *args.arch != checkpoint.metadata.architecture) {
    throw std::runtime_error(path + ": --arch " + *args.arch + " does not match the checkpoint's architecture " +
                             checkpoint.metadata.architecture);
  }
  c.model = model_from_checkpoint(checkpoint);
  c.metadata = checkpoint.metadata;
  return c;
}

std::string class_name(const CheckpointMetadata& m, int64_t index) {
  return index < static_cast<int64_t>(m.class_names.size()) ? m.class_names[index] : std::to_string(index);
}

}  // namespace

int predict_command(const std::vector<std::string>& args) {
  const PredictArgs parsed = parse_predict_args(args);
  Classifier classifier = load_classifier(parsed);
  const Preprocessing preprocessing = preprocessing_of(classifier.metadata);
  classifier.model->eval();
  torch::NoGradGuard no_grad;
  nlohmann::json images = nlohmann::json::array();
  for (const auto& path : parsed.images) {
    const torch::Tensor pixels = read_image(path, preprocessing.input.channels);
    torch::Tensor input;
    try {
      input = preprocess_image(pixels, preprocessing);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
    const torch::Tensor logits = classifier.model->forward(input.unsqueeze(0))[0];
    const torch::Tensor probabilities = torch::softmax(logits, 0);
    const int64_t k = std::min<int64_t>(parsed.top, logits.size(0));
    const auto [values, indices] = probabilities.topk(k);
    nlohmann::json top = nlohmann::json::array();
    if (!parsed.logits) std::printf("%s\n", path.c_str());
    for (int64_t i = 0; i < k; ++i) {
      const int64_t index = indices[i].item<int64_t>();
      const double p = values[i].item<double>();
      top.push_back({{"index", index}, {"class", class_name(classifier.metadata, index)}, {"probability", p}});
      if (!parsed.logits) std::printf("  %5.1f%%  %s\n", 100 * p, class_name(classifier.metadata, index).c_str());
    }
    const auto* data = logits.contiguous().data_ptr<float>();
    images.push_back({{"path", path}, {"logits", std::vector<float>(data, data + logits.size(0))}, {"top", top}});
  }
  if (parsed.logits) {
    const nlohmann::json out = {{"model", parsed.model},
                                {"architecture", classifier.metadata.architecture},
                                {"preprocessing", preprocessing.to_json()},
                                {"images", images}};
    std::printf("%s\n", out.dump(2).c_str());
  }
  return 0;
}

}  // namespace tl::cli
