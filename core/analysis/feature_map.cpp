#include "analysis/feature_map.h"

#include "analysis/analysis_control.h"
#include "analysis/pca.h"
#include "data/seeded_generator.h"
#include "experiment/experiment_config.h"
#include "probe/probe_point.h"
#include "transfer/domain_similarity.h"

#include <torch/torch.h>

#include <algorithm>

namespace tl {
namespace {

constexpr int64_t kBatch = 256;
// Seed streams: which images of each domain, kept apart from other draws.
constexpr uint64_t kSourceDrawStream = 201;
constexpr uint64_t kTargetDrawStream = 202;

ProbePoint resolve_layer(TransferModelImpl& model, const std::string& layer) {
  try {
    return resolve_probe_point(model, layer);
  } catch (const ConfigError& e) {
    std::string reason = e.what();
    const std::string probe_prefix = "probe.layer: ";
    if (reason.rfind(probe_prefix, 0) == 0) reason.erase(0, probe_prefix.size());
    throw ConfigError("feature map layer: " + reason);
  }
}

// Up to `count` positions of a set of `size`, drawn with the seed, ascending.
torch::Tensor drawn_indices(int64_t size, int64_t count, uint64_t seed, uint64_t stream) {
  if (size <= count) return torch::arange(size, torch::kLong);
  auto gen = seeded_generator(seed, stream);
  return std::get<0>(torch::randperm(size, gen, torch::kLong).slice(0, 0, count).sort());
}

/// One domain's drawn images as the layer represents them.
struct LayerReading {
  torch::Tensor indices;   ///< [M] into the domain's set
  torch::Tensor labels;    ///< [M]
  torch::Tensor features;  ///< [M, D] flattened (bounded)
  torch::Tensor pooled;    ///< [M, C] spatially averaged, for the similarity measures
  torch::Tensor correct;   ///< [M] bool, when judged
};

LayerReading read_layer(TransferModelImpl& model, const ProbePoint& point, const Dataset& data,
                        const torch::Tensor& indices, const FeatureMapOptions& o, bool judge) {
  LayerReading r;
  r.indices = indices;
  if (data.size() == 0) {
    r.labels = torch::zeros({0}, torch::kLong);
    r.features = r.pooled = torch::zeros({0, 0});
    return r;
  }
  r.labels = data.labels.index_select(0, indices);
  std::vector<torch::Tensor> features, pooled, correct;
  for (int64_t start = 0; start < indices.size(0); start += kBatch) {
    throw_if_cancelled(o.cancel);
    const auto batch = data.images.index_select(0, indices.slice(0, start, std::min(start + kBatch, indices.size(0))));
    const auto activations = probe_activations(model, point, batch);
    features.push_back(bounded_features(activations, o.max_features));
    pooled.push_back(activations.dim() == 4 ? activations.mean({2, 3}) : activations.flatten(1));
    if (judge && !o.target_predictions.defined()) {
      const auto labels = r.labels.slice(0, start, start + batch.size(0));
      correct.push_back(model.forward(batch).argmax(1).eq(labels));
    }
  }
  const int64_t dims = features.empty() ? 0 : features.front().size(1);
  r.features = features.empty() ? torch::zeros({0, dims}) : torch::cat(features);
  r.pooled = pooled.empty() ? torch::zeros({0, 0}) : torch::cat(pooled);
  if (judge && o.target_predictions.defined()) {
    r.correct = o.target_predictions.index_select(0, indices).eq(r.labels);
  } else if (judge) {
    r.correct = correct.empty() ? torch::zeros({0}, torch::kBool) : torch::cat(correct);
  }
  return r;
}

void add_points(FeatureMap& map, Domain domain, const LayerReading& r) {
  const auto indices = r.indices.contiguous();
  const auto labels = r.labels.to(torch::kLong).contiguous();
  for (int64_t i = 0; i < indices.size(0); ++i) {
    FeatureMapPoint p;
    p.domain = domain;
    p.index = indices[i].item<int64_t>();
    p.label = labels[i].item<int64_t>();
    if (r.correct.defined()) p.correct = r.correct[i].item<bool>() ? 1 : 0;
    map.points.push_back(p);
  }
}

void measure_similarity(FeatureMap& map, const LayerReading& source, const LayerReading& target, uint64_t seed) {
  const int64_t fewest = std::min(source.pooled.size(0), target.pooled.size(0));
  if (fewest >= 2) map.mmd2 = mmd_squared(source.pooled, target.pooled);
  if (fewest >= 4) map.proxy_a_distance = proxy_a_distance(source.pooled, target.pooled, seed);
}

void place_points(FeatureMap& map, const torch::Tensor& features, const FeatureMapOptions& o) {
  if (features.size(0) == 0) return;
  const Pca reduced = pca(features, std::max<int64_t>(2, o.tsne_input_dims));
  const auto first_two = reduced.projection.narrow(1, 0, std::min<int64_t>(2, reduced.projection.size(1)));
  for (size_t i = 0; i < std::min<size_t>(2, reduced.explained_variance_ratio.size()); ++i) {
    map.pca_explained_variance.push_back(reduced.explained_variance_ratio[i]);
  }
  const auto pca_xy = first_two.contiguous();
  for (int64_t i = 0; i < features.size(0); ++i) {
    map.points[i].pca_x = pca_xy[i][0].item<float>();
    map.points[i].pca_y = pca_xy.size(1) > 1 ? pca_xy[i][1].item<float>() : 0.0f;
  }
  if (!o.tsne || features.size(0) < 2) return;
  TsneOptions t = o.tsne_options;
  t.seed = o.seed;
  t.cancel = o.cancel;
  t.progress = [&o](int64_t done, int64_t total) {
    if (o.progress) o.progress(0.3 + 0.7 * static_cast<double>(done) / static_cast<double>(total));
  };
  const auto input = reduced.projection.narrow(1, 0, std::min(o.tsne_input_dims, reduced.projection.size(1)));
  const Tsne embedded = tsne(input, t);
  const auto xy = embedded.embedding.contiguous();
  const auto* data = xy.data_ptr<float>();
  for (int64_t i = 0; i < features.size(0); ++i) {
    map.points[i].tsne_x = data[2 * i];
    map.points[i].tsne_y = data[2 * i + 1];
  }
  map.has_tsne = true;
  map.tsne_kl_divergence = embedded.kl_divergence;
}

class EvalNoGrad {
 public:
  explicit EvalNoGrad(torch::nn::Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalNoGrad() { module_.train(was_training_); }

 private:
  torch::nn::Module& module_;
  bool was_training_;
  torch::NoGradGuard no_grad_;
};

}  // namespace

std::string domain_name(Domain domain) { return domain == Domain::Source ? "source" : "target"; }

int64_t FeatureMap::count(Domain domain) const {
  return std::count_if(points.begin(), points.end(), [domain](const FeatureMapPoint& p) { return p.domain == domain; });
}

std::string default_feature_map_layer(TransferModelImpl& model) {
  for (const auto& p : profile_points(model)) {
    if (p.kind == ProbePoint::Kind::BlockOutput && p.block_index + 1 == model.num_blocks()) return p.layer;
  }
  return "input";
}

FeatureMap compute_feature_map(TransferModelImpl& model, const Dataset& source, const Dataset& target,
                               const FeatureMapOptions& o) {
  if (o.samples_per_domain < 1) throw std::invalid_argument("feature map: samples_per_domain must be >= 1");
  if (o.target_predictions.defined() &&
      (o.target_predictions.dim() != 1 || o.target_predictions.size(0) != target.size())) {
    throw std::invalid_argument("feature map: expected one prediction per target image");
  }
  EvalNoGrad mode(model);
  FeatureMap map;
  const ProbePoint point = resolve_layer(model, o.layer.empty() ? default_feature_map_layer(model) : o.layer);
  map.layer = point.layer;
  map.source_classes = source.class_names;
  map.target_classes = target.class_names;
  const LayerReading s = read_layer(model, point, source, drawn_indices(source.size(), o.samples_per_domain, o.seed, kSourceDrawStream), o, false);
  const LayerReading t = read_layer(model, point, target, drawn_indices(target.size(), o.samples_per_domain, o.seed, kTargetDrawStream), o, o.judge_predictions);
  if (o.progress) o.progress(0.1);
  add_points(map, Domain::Source, s);
  add_points(map, Domain::Target, t);
  const auto features = s.features.size(0) == 0 ? t.features : t.features.size(0) == 0 ? s.features : torch::cat({s.features, t.features});
  map.features = features.size(1);
  measure_similarity(map, s, t, o.seed);
  throw_if_cancelled(o.cancel);
  if (o.progress) o.progress(0.3);
  place_points(map, features, o);
  if (o.progress) o.progress(1.0);
  return map;
}

}  // namespace tl
