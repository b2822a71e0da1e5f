#include "train/cpu_threads.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

namespace tl {
namespace {

TEST(CpuThreads, SetsTheIntraOpThreadCountOfTheCallingThread) {
  int seen = 0;
  std::thread worker([&] {
    const CpuThreads applied = configure_cpu_threads(1);
    EXPECT_EQ(applied.torch_threads, 1);
    seen = at::get_num_threads();
  });
  worker.join();
  EXPECT_EQ(seen, 1);
}

TEST(CpuThreads, ZeroMeansEveryCore) {
  const CpuThreads applied = configure_cpu_threads(0);
  EXPECT_EQ(applied.torch_threads, training_thread_count(0));
  EXPECT_EQ(at::get_num_threads(), training_thread_count(0));
}

TEST(CpuThreads, GivesOpenBlasOneThreadUnlessTheUserChose) {
  // Linked through LibTorch's libblas.so.3; -1 only where another BLAS is installed.
  if (openblas_thread_count() < 0) GTEST_SKIP() << "no OpenBLAS in this process";
  if (std::getenv("OPENBLAS_NUM_THREADS")) GTEST_SKIP() << "OPENBLAS_NUM_THREADS is set";
  const CpuThreads applied = configure_cpu_threads(0);
  EXPECT_EQ(applied.openblas_threads, 1);
  EXPECT_EQ(openblas_thread_count(), 1);
}

}  // namespace
}  // namespace tl
