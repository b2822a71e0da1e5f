// Conformance with torchvision: Debian's python3-torchvision (the same
// LibTorch 1.13 as ours) builds each architecture with seeded random weights
// and saves it as TorchScript with an input and its logits
// (tests/conformance/torchvision_cases.py); our import + forward must give the
// same logits within 1e-4. Skipped when /usr/bin/python3 (or the interpreter
// named by TL_TORCHVISION_PYTHON) cannot import torchvision.
#include "models/model_zoo.h"
#include "weights/weight_import.h"
#include "support/test_dir.h"

#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace tl {
namespace {

using TorchvisionConformance = test::TestWithDir;
using test::read_file;

constexpr double kTolerance = 1e-4;
/// Debian's interpreter: python3-torchvision imports only there.
std::string python() {
  const char* chosen = std::getenv("TL_TORCHVISION_PYTHON");
  return chosen && *chosen ? chosen : "/usr/bin/python3";
}

bool python_has_torchvision() {
  const std::string command = python() + " -c 'import torchvision' > /dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

std::string cases_script() { return std::string(TL_TEST_DATA_DIR) + "/../conformance/torchvision_cases.py"; }

TEST_F(TorchvisionConformance, ImportedWeightsGiveTorchvisionsLogits) {
  if (!python_has_torchvision()) {
    GTEST_SKIP() << python() << " cannot import torchvision (install python3-torchvision to run the conformance test)";
  }
  const std::vector<std::string> architectures{"resnet18", "resnet34", "resnet50", "mobilenet_v2"};
  const std::string command = python() + " " + cases_script() + " " + path("cases") + " > " +
                              path("python.log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << read_file(path("python.log"));

  torch::NoGradGuard no_grad;
  for (const auto& arch : architectures) {
    TransferModel model = make_model(arch, 1000, InputShape{3, 224, 224});
    const ImportReport report = import_torchscript(path("cases/" + arch + ".pt"), *model);
    EXPECT_TRUE(report.missing.empty() && report.unexpected.empty() && report.mismatched.empty())
        << arch << ": " << report.summary();
    EXPECT_FALSE(report.head_replaced) << arch;

    torch::jit::Module io = torch::jit::load(path("cases/" + arch + ".io.pt"));
    const torch::Tensor input = io.attr("input").toTensor();
    const torch::Tensor expected = io.attr("logits").toTensor();
    model->eval();
    const torch::Tensor logits = model->forward(input);
    ASSERT_EQ(logits.sizes(), expected.sizes()) << arch;
    const double max_delta = (logits - expected).abs().max().item<double>();
    std::cout << "conformance " << arch << ": max |delta logit| = " << max_delta << " (logits in ["
              << expected.min().item<double>() << ", " << expected.max().item<double>() << "])\n";
    RecordProperty(arch + "_max_abs_delta", std::to_string(max_delta));
    EXPECT_LE(max_delta, kTolerance) << arch;
  }
}

}  // namespace
}  // namespace tl
