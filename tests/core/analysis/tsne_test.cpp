#include "analysis/tsne.h"

#include "analysis/analysis_control.h"
#include "data/seeded_generator.h"
#include "probe/knn_classifier.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

struct Blobs {
  torch::Tensor points;
  torch::Tensor labels;
};

/// `per_blob` points around each of `blobs` centres in `dims` dimensions;
/// the centres lie about 14 standard deviations apart.
Blobs gaussian_blobs(int64_t blobs, int64_t per_blob, int64_t dims, uint64_t seed) {
  auto gen = seeded_generator(seed, 7);
  const auto centres = torch::randn({blobs, dims}, gen) * 10.0;
  Blobs b;
  b.labels = torch::arange(blobs, torch::kLong).repeat_interleave(per_blob);
  b.points = centres.index_select(0, b.labels) + torch::randn({blobs * per_blob, dims}, gen);
  return b;
}

double knn_accuracy(const torch::Tensor& embedding, const torch::Tensor& labels, int64_t classes) {
  const auto train = torch::arange(0, labels.size(0), 2, torch::kLong);
  const auto test = torch::arange(1, labels.size(0), 2, torch::kLong);
  const KnnClassifier knn(embedding.index_select(0, train), labels.index_select(0, train), classes, 5);
  const auto predicted = knn.predict(embedding.index_select(0, test));
  return predicted.eq(labels.index_select(0, test)).to(torch::kDouble).mean().item<double>();
}

TEST(Tsne, KeepsWellSeparatedGaussianBlobsApart) {
  const Blobs b = gaussian_blobs(5, 80, 30, 1);
  const Tsne t = tsne(b.points);
  ASSERT_EQ(t.embedding.sizes(), (std::vector<int64_t>{400, 2}));
  EXPECT_TRUE(torch::isfinite(t.embedding).all().item<bool>());
  EXPECT_GE(knn_accuracy(t.embedding, b.labels, 5), 0.95);
  EXPECT_EQ(t.perplexity, 30.0);
  EXPECT_EQ(t.neighbours, 91);
  EXPECT_GT(t.kl_divergence, 0.0);
}

TEST(Tsne, TheSameSeedGivesTheSameEmbeddingWithAnyThreadCount) {
  const Blobs b = gaussian_blobs(3, 50, 10, 2);
  TsneOptions o;
  o.iterations = 300;
  o.seed = 5;
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const Tsne one = tsne(b.points, o);
  at::set_num_threads(2);
  const Tsne two = tsne(b.points, o);
  const Tsne again = tsne(b.points, o);
  at::set_num_threads(threads);
  EXPECT_TRUE(one.embedding.equal(two.embedding));
  EXPECT_TRUE(two.embedding.equal(again.embedding));
  o.seed = 6;
  EXPECT_FALSE(tsne(b.points, o).embedding.equal(one.embedding));
}

TEST(Tsne, ReportsProgressAndStopsWhenCancelled) {
  const Blobs b = gaussian_blobs(2, 20, 4, 3);
  TsneOptions o;
  o.iterations = 120;
  std::vector<int64_t> reported;
  o.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 120);
    reported.push_back(done);
  };
  tsne(b.points, o);
  EXPECT_EQ(reported, (std::vector<int64_t>{50, 100, 120}));

  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  o.progress = [&](int64_t, int64_t) { cancel = true; };
  EXPECT_THROW(tsne(b.points, o), AnalysisCancelled);
}

TEST(Tsne, SmallSetsLowerThePerplexity) {
  const Tsne t = tsne(torch::randn({7, 3}));
  EXPECT_DOUBLE_EQ(t.perplexity, 2.0);
  EXPECT_EQ(t.neighbours, 6);
  EXPECT_TRUE(torch::isfinite(t.embedding).all().item<bool>());
}

TEST(Tsne, BadInputIsNamed) {
  try {
    tsne(torch::zeros({1, 3}));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "t-SNE: expected a matrix [N, D] with at least two rows");
  }
  TsneOptions o;
  o.perplexity = 0;
  EXPECT_THROW(tsne(torch::zeros({4, 3}), o), std::invalid_argument);
}

}  // namespace
}  // namespace tl
