#include "models/model_zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

TEST(ModelZoo, ListsOurArchitecturesThenTorchvisions) {
  EXPECT_EQ(architecture_names(), (std::vector<std::string>{"small_cnn", "resnet_narrow", "resnet18", "resnet34",
                                                            "resnet50", "mobilenet_v2"}));
}

TEST(ModelZoo, KnowsItsArchitecturesByName) {
  for (const auto& name : architecture_names()) EXPECT_TRUE(is_architecture(name)) << name;
  for (const char* other : {"", "resnet9000", "small_cnn.safetensors", "Small_CNN"}) {
    EXPECT_FALSE(is_architecture(other)) << other;
  }
}

TEST(ModelZoo, UnknownArchitectureListsTheKnownNames) {
  try {
    make_model("resnet9000", 10);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown architecture 'resnet9000' (known: small_cnn, resnet_narrow, resnet18, resnet34, resnet50, mobilenet_v2)");
  }
}

TEST(ModelZoo, SameSeedGivesSameWeights) {
  for (const auto& name : architecture_names()) {
    torch::manual_seed(5);
    auto a = make_model(name, 10);
    torch::manual_seed(5);
    auto b = make_model(name, 10);
    const auto pa = a->named_parameters();
    const auto pb = b->named_parameters();
    for (const auto& item : pa) EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << name << " " << item.key();
  }
}

TEST(ModelZoo, DescribesArchitecturesWithCountsOfATenClassModel) {
  const ArchitectureInfo small = describe_architecture("small_cnn");
  EXPECT_EQ(small.name, "small_cnn");
  EXPECT_EQ(small.title, "Small CNN (3 conv blocks)");
  EXPECT_FALSE(small.description.empty());
  EXPECT_EQ(small.parameters, 94186);
  EXPECT_EQ(small.flops_per_image, 14904832);
  EXPECT_EQ(small.input.height, 28);

  const ArchitectureInfo resnet = describe_architecture("resnet_narrow");
  EXPECT_EQ(resnet.parameters, 308538);
  EXPECT_EQ(resnet.flops_per_image, 26033152);
}

}  // namespace
}  // namespace tl
