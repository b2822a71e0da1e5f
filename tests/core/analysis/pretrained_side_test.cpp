#include "analysis/pretrained_side.h"

#include "support/fashion_mnist.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

RunFolder folder_starting_from(const std::string& pretrained) {
  RunFolder folder;
  folder.config.model.pretrained = pretrained;
  folder.config.model.architecture = "small_cnn";
  return folder;
}

TEST(PretrainedSide, ABuiltInCheckpointBringsItsSourceTasksTestImagesAsRawPixels) {
  REQUIRE_FASHION_MNIST();
  std::vector<std::string> notes;
  const PretrainedSide side = load_pretrained_side(folder_starting_from("small_cnn-fmnist0-4"), notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
  ASSERT_TRUE(side.model.has_value());
  EXPECT_EQ(side.model->metadata.architecture, "small_cnn");
  const Dataset& source = side.source_pixels;
  ASSERT_GT(source.size(), 0);
  EXPECT_EQ(source.class_names,
            (std::vector<std::string>{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"}));
  EXPECT_EQ(source.images.sizes(), (std::vector<int64_t>{source.size(), 1, 28, 28}));
  EXPECT_GE(source.images.min().item<float>(), 0.0f);
  EXPECT_LE(source.images.max().item<float>(), 1.0f);
}

/// A run whose pretrained side cannot be had: what it started from and how
/// the note it leaves begins.
struct MissingSide {
  const char* name;
  std::string pretrained;
  std::string note_start;
};

class PretrainedSideMissing : public ::testing::TestWithParam<MissingSide> {};

TEST_P(PretrainedSideMissing, HasNoModelNorSourceImagesAndSaysWhyInOneNoteNotAnError) {
  std::vector<std::string> notes;
  const PretrainedSide side = load_pretrained_side(folder_starting_from(GetParam().pretrained), notes);
  EXPECT_FALSE(side.model.has_value());
  EXPECT_EQ(side.source_pixels.size(), 0);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].rfind(GetParam().note_start, 0), 0u) << notes[0];
}

INSTANTIATE_TEST_SUITE_P(
    PretrainedSide, PretrainedSideMissing,
    ::testing::Values(
        MissingSide{"FromScratch", "", "the run trained from scratch: no pretrained model and no source task"},
        MissingSide{"UnloadableCheckpoint", "/nonexistent/model.safetensors",
                    "the pretrained model could not be loaded ("}),
    [](const ::testing::TestParamInfo<MissingSide>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tl
