#include "transfer/l2sp.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

// Two linear layers "body" and "head" and a third, "extra", to freeze or replace.
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl()
      : body(register_module("body", torch::nn::Linear(3, 4))),
        extra(register_module("extra", torch::nn::Linear(4, 4))),
        head(register_module("head", torch::nn::Linear(4, 2))) {}
  torch::nn::Linear body, extra, head;
};
TORCH_MODULE(TinyNet);

void nudge(torch::nn::Module& m, double amount) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters()) p.add_(torch::randn_like(p) * amount);
}

TEST(L2Sp, PenaltyAndGradientMatchTheFormula) {
  torch::manual_seed(4);
  TinyNet net;
  FreezePlan plan;
  plan.add_reinitialized("extra");
  const double alpha = 0.3, beta = 0.05;
  const L2SpPenalty penalty(*net, plan, "head", {alpha, beta});
  EXPECT_EQ(penalty.transferred_count(), 2);  // body.weight, body.bias
  EXPECT_EQ(penalty.new_count(), 4);          // extra and head, weight and bias
  std::map<std::string, torch::Tensor> w0;
  for (const auto& p : net->named_parameters()) w0[p.key()] = p.value().detach().clone();
  nudge(*net, 0.5);

  const auto value = penalty();
  value.backward();
  double expected = 0.0;
  for (const auto& p : net->named_parameters()) {
    const auto w = p.value().detach();
    const bool transferred = p.key().rfind("body", 0) == 0;
    const auto grad = transferred ? alpha * (w - w0[p.key()]) : beta * w;
    expected += transferred ? 0.5 * alpha * (w - w0[p.key()]).pow(2).sum().item<double>()
                            : 0.5 * beta * w.pow(2).sum().item<double>();
    EXPECT_TRUE(torch::allclose(p.value().grad(), grad, 1e-6, 1e-7)) << p.key();
  }
  EXPECT_NEAR(value.item<double>(), expected, 1e-6);
}

TEST(L2Sp, IsZeroAtTheStartingPointWithoutNewLayerDecay) {
  TinyNet net;
  const L2SpPenalty penalty(*net, FreezePlan{}, "head", {1.0, 0.0});
  EXPECT_EQ(penalty().item<double>(), 0.0);
}

TEST(L2Sp, LeavesFrozenParametersOut) {
  TinyNet net;
  FreezePlan plan;
  plan.set_trainable("body", false);
  plan.set_lr_multiplier("extra", 0.0);
  const L2SpPenalty penalty(*net, plan, "head", {1.0, 1.0});
  EXPECT_EQ(penalty.transferred_count(), 0);
  EXPECT_EQ(penalty.new_count(), 2);
}

TEST(L2Sp, NegativeStrengthIsRejectedNamingIt) {
  TinyNet net;
  try {
    L2SpPenalty(*net, FreezePlan{}, "head", {-1.0, 0.0});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "l2sp.alpha: expected a number >= 0, got -1");
  }
}

}  // namespace
}  // namespace tl
