#pragma once

namespace tl {

/// The CPU thread settings a training thread runs with.
struct CpuThreads {
  int torch_threads = 1;      ///< LibTorch intra-op (OpenMP) threads of the calling thread
  int openblas_threads = -1;  ///< OpenBLAS's own thread pool (process-wide); -1 when no OpenBLAS is loaded
};

/// Applies Transfer Lab's thread choice. LibTorch's intra-op thread count of
/// the calling thread becomes training_thread_count(requested); it is per
/// thread, so the training thread calls this itself. OpenBLAS (Debian's
/// libopenblas0-pthread behind libblas.so.3) runs a pthread pool of its own
/// beside LibTorch's OpenMP threads; it gets 1 thread, the choice measured by
/// tests/bench (see README, Performance), unless the user set
/// OPENBLAS_NUM_THREADS.
CpuThreads configure_cpu_threads(int requested = 0);

/// OpenBLAS's current thread count; -1 when no OpenBLAS is loaded.
int openblas_thread_count();

}  // namespace tl
