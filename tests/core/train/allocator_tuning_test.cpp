#include "models/model_zoo.h"
#include "train/allocator_tuning.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>

namespace tl {
namespace {

long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Minor page faults of `steps` full training steps of resnet_narrow at batch
// 64, after two steps that create the gradients and the optimizer state.
long faults_of_training_steps(int steps) {
  torch::manual_seed(1);
  auto model = make_model("resnet_narrow", 5);
  model->train();
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const auto x = torch::rand({64, 1, 28, 28});
  const auto y = torch::randint(5, {64}, torch::kLong);
  const auto step = [&] {
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(x), y).backward();
    optimizer.step();
  };
  step();
  step();
  const long before = minor_page_faults();
  for (int i = 0; i < steps; ++i) step();
  return minor_page_faults() - before;
}

class AllocatorTuning : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"}) {
      if (std::getenv(name)) GTEST_SKIP() << name << " is set: malloc is tuned by hand here";
    }
    // glibc's starting thresholds (128 KiB), whatever ran before in this process.
    mallopt(M_MMAP_THRESHOLD, 128 << 10);
    mallopt(M_TRIM_THRESHOLD, 128 << 10);
  }
  void TearDown() override { keep_freed_memory_for_reuse(); }
};

TEST_F(AllocatorTuning, TrainingStepsStopPageFaultingOnceFreedMemoryIsKept) {
  const long untuned = faults_of_training_steps(4);
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  const long tuned = faults_of_training_steps(4);
  // Each untuned step maps its activations and gradients afresh (thousands of
  // pages); a tuned one reuses what the previous step freed.
  EXPECT_GT(untuned, 4 * 1000);
  EXPECT_LT(tuned * 10, untuned) << "untuned " << untuned << " faults, tuned " << tuned;
}

TEST_F(AllocatorTuning, AUserSettingOfMallocIsLeftAlone) {
  setenv("MALLOC_TRIM_THRESHOLD_", "4096", 1);
  EXPECT_FALSE(keep_freed_memory_for_reuse());
  unsetenv("MALLOC_TRIM_THRESHOLD_");
  EXPECT_TRUE(keep_freed_memory_for_reuse());
}

}  // namespace
}  // namespace tl
