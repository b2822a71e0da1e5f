// Checkpoints whose weights hold NaN or infinity (saved by a diverged run).
// Decision: the checkpoint reader stays faithful and reads them (an
// inspection tool may want to show them), but building a model from one, as
// a pretrained model for an experiment does, is refused with an error naming
// the file and the first bad tensor: such a model could only ever predict NaN.
#include "experiment/experiment.h"
#include "models/model_zoo.h"
#include "weights/checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>

namespace tl {
namespace {

class NanCheckpoint : public test::TestWithDir {
 protected:
  /// A small_cnn checkpoint with five classes; `poison` names a tensor whose
  /// first element becomes `value` (none when empty).
  std::string save(const std::string& poison, float value) {
    Checkpoint checkpoint;
    checkpoint.metadata.architecture = "small_cnn";
    checkpoint.metadata.class_names = {"a", "b", "c", "d", "e"};
    checkpoint.tensors = state_dict(*make_model("small_cnn", 5));
    if (!poison.empty()) checkpoint.tensors.at(poison).view(-1)[0] = value;
    save_checkpoint(checkpoint, path("model.safetensors"));
    return path("model.safetensors");
  }

  static std::string refusal(const std::string& path, const std::string& tensor) {
    return path + ": tensor '" + tensor +
           "' holds NaN or infinite values, so the model cannot be used (was it saved by a diverged run?)";
  }
};

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(NanCheckpoint, ReaderReadsTheNanFaithfully) {
  const std::string path = save("features.0.0.weight", std::numeric_limits<float>::quiet_NaN());
  const Checkpoint read = load_checkpoint(path);
  EXPECT_TRUE(read.tensors.at("features.0.0.weight").isnan().any().item<bool>());
  EXPECT_EQ(read.path, path);
}

TEST_F(NanCheckpoint, ModelFromItIsRefusedNamingFileAndTensor) {
  const std::string path = save("features.0.0.weight", std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(error_of([&] { model_from_checkpoint(load_checkpoint(path)); }), refusal(path, "features.0.0.weight"));
}

TEST_F(NanCheckpoint, InfinityInABufferIsRefusedToo) {
  const std::string path = save("features.1.1.running_var", std::numeric_limits<float>::infinity());
  EXPECT_EQ(error_of([&] { model_from_checkpoint(load_checkpoint(path)); }),
            refusal(path, "features.1.1.running_var"));
}

TEST_F(NanCheckpoint, ExperimentWithItAsPretrainedModelFailsToPrepare) {
  ExperimentConfig config;
  config.model.pretrained = save("classifier.bias", std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(error_of([&] { prepare_model(config); }), refusal(config.model.pretrained, "classifier.bias"));
}

TEST_F(NanCheckpoint, FiniteCheckpointStillBuildsItsModel) {
  const std::string path = save("", 0.0f);
  EXPECT_EQ(error_of([&] { model_from_checkpoint(load_checkpoint(path)); }), "no error");
}

}  // namespace
}  // namespace tl
