#include "analysis/confusion_matrix.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tl {

int64_t ConfusionMatrix::total() const {
  int64_t sum = 0;
  for (const int64_t c : counts) sum += c;
  return sum;
}

int64_t ConfusionMatrix::correct() const {
  int64_t sum = 0;
  for (int64_t k = 0; k < classes(); ++k) sum += count(k, k);
  return sum;
}

double ConfusionMatrix::accuracy() const {
  const int64_t n = total();
  return n == 0 ? 0.0 : static_cast<double>(correct()) / static_cast<double>(n);
}

std::vector<double> ConfusionMatrix::row_normalised() const {
  const int64_t k = classes();
  std::vector<double> out(counts.size(), 0.0);
  for (int64_t r = 0; r < k; ++r) {
    int64_t row_sum = 0;
    for (int64_t c = 0; c < k; ++c) row_sum += count(r, c);
    if (row_sum == 0) continue;
    for (int64_t c = 0; c < k; ++c) out[r * k + c] = static_cast<double>(count(r, c)) / static_cast<double>(row_sum);
  }
  return out;
}

std::vector<double> ConfusionMatrix::per_class_accuracy() const {
  const auto fractions = row_normalised();
  std::vector<double> out(classes());
  for (int64_t k = 0; k < classes(); ++k) out[k] = fractions[k * classes() + k];
  return out;
}

std::vector<ImagePrediction> ConfusionMatrix::cell_images(int64_t true_class, int64_t predicted) const {
  if (true_class < 0 || true_class >= classes() || predicted < 0 || predicted >= classes()) {
    throw std::out_of_range("confusion matrix: no cell (" + std::to_string(true_class) + ", " +
                            std::to_string(predicted) + ") in a matrix of " + std::to_string(classes()) + " classes");
  }
  std::vector<ImagePrediction> out;
  for (const auto& p : predictions) {
    if (p.true_class == true_class && p.predicted == predicted) out.push_back(p);
  }
  return out;
}

ConfusionMatrix confusion_from_logits(const torch::Tensor& logits, const torch::Tensor& labels,
                                      const std::vector<std::string>& class_names) {
  const auto k = static_cast<int64_t>(class_names.size());
  if (logits.dim() != 2 || logits.size(1) != k || labels.dim() != 1 || labels.size(0) != logits.size(0)) {
    throw std::invalid_argument("confusion matrix: expected logits [N, " + std::to_string(k) + "] and labels [N]");
  }
  ConfusionMatrix m;
  m.class_names = class_names;
  m.counts.assign(k * k, 0);
  const auto log_p = torch::log_softmax(logits.to(torch::kDouble), 1);
  const auto predicted = logits.argmax(1).to(torch::kLong).contiguous();
  const auto y = labels.to(torch::kLong).contiguous();
  const auto log_p_predicted = log_p.gather(1, predicted.unsqueeze(1)).squeeze(1).contiguous();
  const auto log_p_true = log_p.gather(1, y.unsqueeze(1)).squeeze(1).contiguous();
  const auto* pred = predicted.data_ptr<int64_t>();
  const auto* truth = y.data_ptr<int64_t>();
  const auto* lpp = log_p_predicted.data_ptr<double>();
  const auto* lpt = log_p_true.data_ptr<double>();
  m.predictions.reserve(y.size(0));
  for (int64_t i = 0; i < y.size(0); ++i) {
    if (truth[i] < 0 || truth[i] >= k) {
      throw std::invalid_argument("confusion matrix: label " + std::to_string(truth[i]) + " of image " +
                                  std::to_string(i) + " is outside 0.." + std::to_string(k - 1));
    }
    m.counts[truth[i] * k + pred[i]] += 1;
    m.predictions.push_back({i, truth[i], pred[i], std::exp(lpp[i]), -lpt[i]});
  }
  return m;
}

ConfusionMatrix confusion_matrix(TransferModelImpl& model, const Dataset& test, int64_t batch_size) {
  if (model.num_classes() != test.num_classes()) {
    throw std::invalid_argument("confusion matrix: the model predicts " + std::to_string(model.num_classes()) +
                                " classes but the test set has " + std::to_string(test.num_classes()));
  }
  if (batch_size < 1) throw std::invalid_argument("confusion matrix: batch_size must be >= 1");
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<torch::Tensor> logits;
  for (int64_t start = 0; start < test.size(); start += batch_size) {
    const int64_t end = std::min(start + batch_size, test.size());
    logits.push_back(model.forward(test.images.slice(0, start, end)));
  }
  model.train(was_training);
  const auto all = logits.empty() ? torch::zeros({0, test.num_classes()}) : torch::cat(logits);
  return confusion_from_logits(all, test.size() ? test.labels : torch::zeros({0}, torch::kLong), test.class_names);
}

std::vector<int64_t> confusion_difference(const ConfusionMatrix& minuend, const ConfusionMatrix& subtrahend) {
  if (minuend.class_names != subtrahend.class_names) {
    throw std::invalid_argument("confusion difference: the two matrices have different classes (" +
                                std::to_string(minuend.classes()) + " and " + std::to_string(subtrahend.classes()) +
                                ")");
  }
  std::vector<int64_t> out(minuend.counts.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = minuend.counts[i] - subtrahend.counts[i];
  return out;
}

}  // namespace tl
