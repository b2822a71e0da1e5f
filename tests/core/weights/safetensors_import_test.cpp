#include "models/model_zoo.h"
#include "models/named_tensors.h"
#include "weights/safetensors.h"
#include "weights/weight_import.h"
#include "support/test_dir.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace tl {
namespace {

using SafetensorsImport = test::TestWithDir;

std::map<std::string, torch::Tensor> tensors_of(const torch::nn::Module& model) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, t] : named_tensors(model)) tensors[name] = t.detach().clone();
  return tensors;
}

TEST_F(SafetensorsImport, LoadsAStateDictByNameAndReplacesAnotherHead) {
  torch::manual_seed(3);
  const auto source = tensors_of(*make_model("resnet_narrow", 10));
  write_safetensors(SafetensorsContents{source, {}}, path("model.safetensors"));
  torch::manual_seed(4);
  TransferModel target = make_model("resnet_narrow", 4);

  const ImportReport report = import_safetensors(path("model.safetensors"), *target);
  EXPECT_TRUE(report.head_replaced);
  EXPECT_EQ(report.mismatched.size(), 2u);  // fc.weight, fc.bias
  EXPECT_EQ(report.loaded.size(), source.size() - 2);
  const auto after = tensors_of(*target);
  EXPECT_TRUE(torch::equal(after.at("layer3.0.conv1.weight"), source.at("layer3.0.conv1.weight")));
  EXPECT_EQ(after.at("fc.weight").size(0), 4);
}

TEST_F(SafetensorsImport, AnotherArchitectureIsRefusedNamingTheFile) {
  write_safetensors(SafetensorsContents{tensors_of(*make_model("small_cnn", 10)), {}}, path("cnn.safetensors"));
  TransferModel target = make_model("resnet_narrow", 10);
  try {
    import_safetensors(path("cnn.safetensors"), *target);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path("cnn.safetensors") + ": does not fit resnet_narrow outside its head (fc)", 0),
              0u)
        << e.what();
  }
}

}  // namespace
}  // namespace tl
