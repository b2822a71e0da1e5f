#include "train/cpu_threads.h"

#include "train/trainer.h"

#include <ATen/Parallel.h>

#include <dlfcn.h>

#include <cstdlib>

namespace tl {

namespace {

// OpenBLAS (libopenblas0-pthread, which Debian's reference libblas.so.3
// resolves to) exports these; looked up at run time so that a process with
// another BLAS still runs.
using SetThreads = void (*)(int);
using GetThreads = int (*)();

bool user_chose_openblas_threads() { return std::getenv("OPENBLAS_NUM_THREADS") != nullptr; }

}  // namespace

int openblas_thread_count() {
  auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
}

CpuThreads configure_cpu_threads(int requested) {
  CpuThreads result;
  result.torch_threads = training_thread_count(requested);
  at::set_num_threads(result.torch_threads);
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set && !user_chose_openblas_threads()) set(1);
  result.openblas_threads = openblas_thread_count();
  return result;
}

}  // namespace tl
