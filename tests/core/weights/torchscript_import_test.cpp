#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "weights/weight_import.h"
#include "support/test_dir.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/torch.h>

#include <map>
#include <string>

namespace tl {
namespace {

using TorchScriptImport = test::TestWithDir;

/// The jit submodule at a dotted path, created on the way down.
torch::jit::Module submodule(torch::jit::Module root, const std::string& path) {
  torch::jit::Module m = root;
  size_t start = 0;
  while (start < path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!m.hasattr(part)) m.register_module(part, torch::jit::Module("__torch__.M_" + part));
    m = m.attr(part).toModule();
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return m;
}

/// Writes a TorchScript file holding `tensors` as parameters (buffers for the
/// running statistics and counters), nested by their dotted names as
/// torch.jit.save of a PyTorch model would.
void save_torchscript(const std::map<std::string, torch::Tensor>& tensors, const std::string& path) {
  torch::jit::Module root("__torch__.Exported");
  for (const auto& [name, t] : tensors) {
    const size_t dot = name.rfind('.');
    torch::jit::Module owner = dot == std::string::npos ? root : submodule(root, name.substr(0, dot));
    const std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
    const bool buffer = leaf.rfind("running_", 0) == 0 || leaf == "num_batches_tracked";
    owner.register_parameter(leaf, t.clone(), buffer);
  }
  root.save(path);
}

std::map<std::string, torch::Tensor> tensors_of(const torch::nn::Module& model) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, t] : named_tensors(model)) tensors[name] = t.detach().clone();
  return tensors;
}

/// A small_cnn whose every tensor differs from a fresh one (running statistics included).
TransferModel trained_like(int64_t num_classes) {
  torch::manual_seed(1);
  TransferModel model = make_model("small_cnn", num_classes);
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : named_tensors(*model)) t.add_(t.is_floating_point() ? torch::rand_like(t) + 0.5 : torch::ones_like(t));
  return model;
}

TEST_F(TorchScriptImport, LoadsEveryTensorByNameAndGivesTheSameLogits) {
  TransferModel source = trained_like(10);
  save_torchscript(tensors_of(*source), path("model.pt"));
  torch::manual_seed(2);
  TransferModel target = make_model("small_cnn", 10);

  const ImportReport report = import_torchscript(path("model.pt"), *target);
  EXPECT_EQ(report.loaded.size(), named_tensors(*target).size());
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  EXPECT_TRUE(report.mismatched.empty());
  EXPECT_FALSE(report.head_replaced);
  for (const auto& [name, t] : tensors_of(*source)) {
    EXPECT_TRUE(torch::equal(tensors_of(*target).at(name), t)) << name;
  }
  source->eval();
  target->eval();
  const auto x = torch::randn({2, 1, 28, 28});
  EXPECT_TRUE(torch::equal(source->forward(x), target->forward(x)));
}

TEST_F(TorchScriptImport, AnotherHeadIsReplacedAndReported) {
  save_torchscript(tensors_of(*trained_like(10)), path("model.pt"));
  TransferModel target = make_model("small_cnn", 3);
  const auto head_before = target->named_parameters()["classifier.weight"].clone();

  const ImportReport report = import_torchscript(path("model.pt"), *target);
  EXPECT_TRUE(report.head_replaced);
  ASSERT_EQ(report.mismatched.size(), 2u);
  EXPECT_EQ(report.mismatched[0].name, "classifier.weight");
  EXPECT_EQ(report.mismatched[0].file_shape, (std::vector<int64_t>{10, 128}));
  EXPECT_EQ(report.mismatched[0].model_shape, (std::vector<int64_t>{3, 128}));
  EXPECT_EQ(report.loaded.size(), named_tensors(*target).size() - 2);
  EXPECT_TRUE(torch::equal(target->named_parameters()["classifier.weight"], head_before));
  EXPECT_EQ(report.summary(),
            "loaded 18 tensors; head replaced; 2 of another shape (classifier.weight: file [10, 128], model [3, 128], "
            "classifier.bias: file [10], model [3])");
}

TEST_F(TorchScriptImport, ABackboneWithoutHeadLoadsAndKeepsTheFreshHead) {
  auto tensors = tensors_of(*trained_like(10));
  tensors.erase("classifier.weight");
  tensors.erase("classifier.bias");
  save_torchscript(tensors, path("backbone.pt"));
  TransferModel target = make_model("small_cnn", 10);
  const ImportReport report = import_torchscript(path("backbone.pt"), *target);
  EXPECT_TRUE(report.head_replaced);
  EXPECT_EQ(report.missing, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
}

TEST_F(TorchScriptImport, AMismatchOutsideTheHeadIsRefusedAndChangesNothing) {
  auto tensors = tensors_of(*trained_like(10));
  tensors["features.1.0.weight"] = torch::zeros({64, 32, 5, 5});
  save_torchscript(tensors, path("model.pt"));
  TransferModel target = make_model("small_cnn", 10);
  const auto before = tensors_of(*target);
  try {
    import_torchscript(path("model.pt"), *target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              path("model.pt") + ": does not fit small_cnn outside its head (classifier): 1 of another shape "
                                 "(features.1.0.weight: file [64, 32, 5, 5], model [64, 32, 3, 3]). Allow a partial "
                                 "load to load the rest.");
  }
  for (const auto& [name, t] : tensors_of(*target)) EXPECT_TRUE(torch::equal(t, before.at(name))) << name;
}

TEST_F(TorchScriptImport, APartialLoadSkipsAndReportsWhatDoesNotFit) {
  auto tensors = tensors_of(*trained_like(10));
  tensors["features.1.0.weight"] = torch::zeros({64, 32, 5, 5});
  tensors.erase("features.2.1.running_var");
  tensors["extra.weight"] = torch::ones({4});
  save_torchscript(tensors, path("model.pt"));
  TransferModel target = make_model("small_cnn", 10);
  const auto before = tensors_of(*target);

  const ImportReport report = import_torchscript(path("model.pt"), *target, ImportOptions{true});
  EXPECT_FALSE(report.head_replaced);
  EXPECT_EQ(report.missing, std::vector<std::string>{"features.2.1.running_var"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"extra.weight"});
  ASSERT_EQ(report.mismatched.size(), 1u);
  EXPECT_EQ(report.loaded.size(), named_tensors(*target).size() - 2);
  const auto after = tensors_of(*target);
  EXPECT_TRUE(torch::equal(after.at("features.1.0.weight"), before.at("features.1.0.weight")));
  EXPECT_TRUE(torch::equal(after.at("features.2.1.weight"), tensors.at("features.2.1.weight")));
}

TEST_F(TorchScriptImport, UnexpectedTensorsOutsideTheHeadAreRefused) {
  // A deeper network's file into a shallower model: everything we have fits,
  // but the file holds more. Loading silently would hide the wrong choice.
  auto tensors = tensors_of(*trained_like(10));
  tensors["features.3.0.weight"] = torch::zeros({8, 128, 3, 3});
  save_torchscript(tensors, path("model.pt"));
  TransferModel target = make_model("small_cnn", 10);
  EXPECT_THROW(import_torchscript(path("model.pt"), *target), std::runtime_error);
}

TEST_F(TorchScriptImport, ANonTorchScriptFileIsAClearError) {
  test::write_file(path("notes.pt"), "not a zip archive");
  TransferModel target = make_model("small_cnn", 10);
  try {
    import_torchscript(path("notes.pt"), *target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path("notes.pt") + ": not a readable TorchScript file (", 0), 0u) << e.what();
  }
  EXPECT_THROW(import_torchscript(path("absent.pt"), *target), std::runtime_error);
}

}  // namespace
}  // namespace tl
