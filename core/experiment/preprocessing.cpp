#include "experiment/preprocessing.h"

#include "data/image_file.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace tl {
namespace {

bool is_imagenet_style(const CheckpointMetadata& m) {
  const bool imagenet_shape = m.input.channels == 3 && m.input.height == 224 && m.input.width == 224;
  return imagenet_shape || (m.normalization_mean == imagenet_mean() && m.normalization_std == imagenet_std());
}

std::vector<double> per_channel(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_array()) {
    throw std::invalid_argument(std::string("preprocessing: \"") + key + "\" must be an array of numbers");
  }
  std::vector<double> values;
  for (const auto& v : j[key]) {
    if (!v.is_number()) throw std::invalid_argument(std::string("preprocessing: \"") + key + "\" must hold numbers");
    values.push_back(v.get<double>());
  }
  return values;
}

std::string shape_text(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

/// torchvision's Resize(size) of the shorter side, then CenterCrop(height, width).
torch::Tensor resize_and_center_crop(const torch::Tensor& image, const Preprocessing& p) {
  const int64_t h = image.size(1), w = image.size(2);
  // As torchvision: the longer side scales by the same factor, truncated.
  const int64_t short_side = std::min(h, w), long_side = std::max(h, w);
  const int64_t new_long = static_cast<int64_t>(static_cast<double>(p.resize_size) * long_side / short_side);
  const int64_t new_h = h <= w ? p.resize_size : new_long;
  const int64_t new_w = h <= w ? new_long : p.resize_size;
  const torch::Tensor resized = resize_image(image, new_h, new_w);
  if (new_h < p.input.height || new_w < p.input.width) {
    throw std::invalid_argument("preprocessing: a " + std::to_string(h) + "x" + std::to_string(w) +
                                " image resized to " + std::to_string(new_h) + "x" + std::to_string(new_w) +
                                " is smaller than the " + std::to_string(p.input.height) + "x" +
                                std::to_string(p.input.width) + " crop");
  }
  // Python's round(), as torchvision's center_crop uses it: halves go to the even neighbour.
  const int64_t top = static_cast<int64_t>(std::nearbyint((new_h - p.input.height) / 2.0));
  const int64_t left = static_cast<int64_t>(std::nearbyint((new_w - p.input.width) / 2.0));
  return resized.narrow(1, top, p.input.height).narrow(2, left, p.input.width);
}

}  // namespace

std::string resize_policy_name(ResizePolicy policy) {
  switch (policy) {
    case ResizePolicy::Stretch: return "stretch";
    case ResizePolicy::ShorterSideThenCenterCrop: return "shorter_side_then_center_crop";
  }
  return "stretch";
}

ResizePolicy resize_policy_from_name(const std::string& name) {
  for (ResizePolicy p : {ResizePolicy::Stretch, ResizePolicy::ShorterSideThenCenterCrop}) {
    if (resize_policy_name(p) == name) return p;
  }
  throw std::invalid_argument("preprocessing: \"resize\" is '" + name +
                              "'; expected stretch or shorter_side_then_center_crop");
}

const std::vector<double>& imagenet_mean() {
  static const std::vector<double> mean{0.485, 0.456, 0.406};
  return mean;
}

const std::vector<double>& imagenet_std() {
  static const std::vector<double> std{0.229, 0.224, 0.225};
  return std;
}

nlohmann::json Preprocessing::to_json() const {
  nlohmann::json j = {{"input", {input.channels, input.height, input.width}},
                      {"mean", mean},
                      {"std", std},
                      {"resize", resize_policy_name(resize)}};
  if (resize == ResizePolicy::ShorterSideThenCenterCrop) j["resize_size"] = resize_size;
  return j;
}

Preprocessing Preprocessing::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("preprocessing: expected a JSON object");
  Preprocessing p;
  const auto& input = j.value("input", nlohmann::json());
  if (!input.is_array() || input.size() != 3 || !input[0].is_number_integer() || !input[1].is_number_integer() ||
      !input[2].is_number_integer()) {
    throw std::invalid_argument("preprocessing: \"input\" must be [channels, height, width]");
  }
  p.input = {input[0].get<int64_t>(), input[1].get<int64_t>(), input[2].get<int64_t>()};
  p.mean = per_channel(j, "mean");
  p.std = per_channel(j, "std");
  if (!j.contains("resize") || !j["resize"].is_string()) {
    throw std::invalid_argument("preprocessing: \"resize\" must be a string");
  }
  p.resize = resize_policy_from_name(j["resize"].get<std::string>());
  if (p.resize == ResizePolicy::ShorterSideThenCenterCrop) {
    if (!j.contains("resize_size") || !j["resize_size"].is_number_integer() ||
        j["resize_size"].get<int64_t>() < std::min(p.input.height, p.input.width)) {
      throw std::invalid_argument("preprocessing: \"resize_size\" must be an integer >= the input's shorter side");
    }
    p.resize_size = j["resize_size"].get<int64_t>();
  }
  return p;
}

bool Preprocessing::operator==(const Preprocessing& o) const {
  return input.channels == o.input.channels && input.height == o.input.height && input.width == o.input.width &&
         mean == o.mean && std == o.std && resize == o.resize && resize_size == o.resize_size;
}

Preprocessing preprocessing_of(const CheckpointMetadata& m) {
  if (m.extra.is_object() && m.extra.contains("preprocessing")) {
    return Preprocessing::from_json(m.extra["preprocessing"]);
  }
  Preprocessing p;
  p.input = m.input;
  p.mean = m.normalization_mean;
  p.std = m.normalization_std;
  if (is_imagenet_style(m)) {
    if (p.mean.empty()) p.mean = imagenet_mean();
    if (p.std.empty()) p.std = imagenet_std();
    p.resize = ResizePolicy::ShorterSideThenCenterCrop;
    // torchvision evaluates 224 crops of 256 images: the same ratio for any size.
    p.resize_size = static_cast<int64_t>(std::floor(std::min(m.input.height, m.input.width) * 256.0 / 224.0));
  }
  if (p.mean.empty()) p.mean.assign(static_cast<size_t>(m.input.channels), 0.0);
  if (p.std.empty()) p.std.assign(static_cast<size_t>(m.input.channels), 1.0);
  return p;
}

torch::Tensor preprocess_image(const torch::Tensor& image, const Preprocessing& p) {
  if (image.dim() != 3 || image.size(0) != p.input.channels) {
    throw std::invalid_argument(
        "preprocessing: the model takes " + shape_text(p.input.channels, p.input.height, p.input.width) +
        " images, got " +
        (image.dim() == 3 ? shape_text(image.size(0), image.size(1), image.size(2)) : "a tensor of other rank"));
  }
  if (static_cast<int64_t>(p.mean.size()) != p.input.channels || static_cast<int64_t>(p.std.size()) != p.input.channels) {
    throw std::invalid_argument("preprocessing: mean and std need one value per channel (" +
                                std::to_string(p.input.channels) + ")");
  }
  torch::Tensor x;
  if (image.size(1) == p.input.height && image.size(2) == p.input.width) {
    x = image.to(torch::kFloat32) / 255.0;  // already the input size: no resampling at all
  } else if (p.resize == ResizePolicy::ShorterSideThenCenterCrop) {
    x = resize_and_center_crop(image, p);
  } else {
    x = resize_image(image, p.input.height, p.input.width);
  }
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  const auto mean = torch::tensor(p.mean, torch::kFloat64).to(options).view({-1, 1, 1});
  const auto std = torch::tensor(p.std, torch::kFloat64).to(options).view({-1, 1, 1});
  return ((x - mean) / std).contiguous();
}

}  // namespace tl
