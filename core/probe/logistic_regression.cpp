#include "probe/logistic_regression.h"

#include "probe/prediction_scores.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace tl {

LogisticRegression LogisticRegression::fit(const torch::Tensor& features, const torch::Tensor& labels,
                                           int64_t num_classes, const LogisticRegressionOptions& options) {
  check_labelled_features(features, labels, num_classes);
  // The caller may extract features under NoGradGuard; fitting needs autograd.
  torch::AutoGradMode grad_mode(true);
  LogisticRegression model;
  model.scaler_ = FeatureScaler(features);
  const auto x = model.scaler_.transform(features).detach();
  const auto y = labels.to(torch::kLong);
  model.weight_ = torch::zeros({x.size(1), num_classes}, torch::requires_grad());
  model.bias_ = torch::zeros({num_classes}, torch::requires_grad());

  const auto objective = [&] {
    return torch::cross_entropy_loss(torch::addmm(model.bias_, x, model.weight_), y) +
           0.5 * options.l2 * model.weight_.pow(2).sum();
  };
  // One L-BFGS iteration per step, so the loss of every iteration is seen.
  torch::optim::LBFGS optimizer({model.weight_, model.bias_}, torch::optim::LBFGSOptions(1.0)
                                                                  .max_iter(1)
                                                                  .history_size(20)
                                                                  .tolerance_grad(1e-7)
                                                                  .tolerance_change(1e-12)
                                                                  .line_search_fn("strong_wolfe"));
  const auto closure = [&] {
    optimizer.zero_grad();
    auto loss = objective();
    loss.backward();
    return loss;
  };
  {
    torch::NoGradGuard no_grad;
    model.loss_history_.push_back(objective().item<double>());
  }
  for (int64_t i = 0; i < options.max_iterations; ++i) {
    optimizer.step(closure);
    double loss = 0.0;
    {
      torch::NoGradGuard no_grad;
      loss = objective().item<double>();
    }
    const double previous = model.loss_history_.back();
    model.loss_history_.push_back(loss);
    if (std::abs(previous - loss) <= options.tolerance * std::max(1.0, std::abs(previous))) break;
  }
  model.weight_ = model.weight_.detach();
  model.bias_ = model.bias_.detach();
  return model;
}

torch::Tensor LogisticRegression::logits(const torch::Tensor& features) const {
  if (!weight_.defined()) throw std::logic_error("LogisticRegression: not fitted");
  torch::NoGradGuard no_grad;
  return torch::addmm(bias_, scaler_.transform(features), weight_);
}

torch::Tensor LogisticRegression::predict(const torch::Tensor& features) const { return logits(features).argmax(1); }

}  // namespace tl
