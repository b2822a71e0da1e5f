#pragma once

#include "analysis/tsne.h"
#include "data/dataset.h"
#include "models/transfer_model.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tl {

/// Which task an image comes from.
enum class Domain { Source, Target };
std::string domain_name(Domain domain);  ///< "source", "target"

/// One image of a feature map, placed by both projections.
struct FeatureMapPoint {
  Domain domain = Domain::Target;
  int64_t index = 0;   ///< position in its domain's image set
  int64_t label = 0;   ///< class index in its domain (see FeatureMap::source_classes / target_classes)
  int correct = -1;    ///< target images: 1 when the model predicts the label, 0 when not; -1 not judged
  float pca_x = 0, pca_y = 0;
  float tsne_x = 0, tsne_y = 0;
};

/// Source and target images as a model's layer represents them.
struct FeatureMap {
  std::string layer;        ///< the probe point read (see probe/probe_point.h)
  int64_t features = 0;     ///< values per image after flattening (and pooling, see FeatureMapOptions)
  std::vector<std::string> source_classes;
  std::vector<std::string> target_classes;
  std::vector<FeatureMapPoint> points;  ///< source images first, then target images
  std::vector<double> pca_explained_variance;  ///< fraction of the variance on each of the two PCA axes
  bool has_tsne = false;
  double tsne_kl_divergence = 0.0;
  /// Domain similarity at this layer, as the similarity meter measures it
  /// (transfer/domain_similarity.h) on spatially averaged activations; absent
  /// without enough images of both domains (2 for MMD², 4 for the proxy A-distance).
  std::optional<double> mmd2;
  std::optional<double> proxy_a_distance;

  int64_t count(Domain domain) const;
};

struct FeatureMapOptions {
  std::string layer;                  ///< a probe point; "" = default_feature_map_layer
  int64_t samples_per_domain = 1000;  ///< images drawn from each domain (all when it has fewer)
  uint64_t seed = 1;                  ///< which images, the t-SNE start and the domain classifier's split
  /// Mark target images correct or wrong by the model's prediction. Off for a
  /// model whose head was not trained for the target's classes.
  bool judge_predictions = true;
  /// The model's predicted class of every image of `target` [target.size()]
  /// when the caller already has them (a confusion matrix): saves a forward
  /// pass over the drawn target images. Undefined = predicted here.
  torch::Tensor target_predictions;
  /// Spatial activations are average-pooled to at most this many values per
  /// image (probe/probe_point.h bounded_features), as the probe reads them.
  int64_t max_features = 2048;
  /// t-SNE runs on this many principal components (the usual first reduction).
  int64_t tsne_input_dims = 50;
  bool tsne = true;
  TsneOptions tsne_options;  ///< its seed, progress and cancel are set from these options
  std::function<void(double)> progress;     ///< fraction of this map done, in [0, 1]
  const std::atomic<bool>* cancel = nullptr;  ///< throws AnalysisCancelled when set
};

/// The layer a feature map reads by default: the last block's output, the
/// features the classifier head sees.
std::string default_feature_map_layer(TransferModelImpl& model);

/// Reads `layer`'s activations for up to options.samples_per_domain images of
/// `source` and of `target` (each drawn with options.seed, kept in set order;
/// `source` may be empty), flattens them, and projects all of them together
/// with PCA and t-SNE; measures MMD² and the proxy A-distance between the two
/// domains there. Images must be normalised the way the model expects. Runs
/// in eval mode without gradients (the mode is restored). Throws ConfigError
/// ("feature map layer: ...") for a layer that cannot be read, and
/// AnalysisCancelled when options.cancel is set.
FeatureMap compute_feature_map(TransferModelImpl& model, const Dataset& source, const Dataset& target,
                               const FeatureMapOptions& options = {});

}  // namespace tl
