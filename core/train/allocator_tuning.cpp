#include "train/allocator_tuning.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tl {

namespace {

bool user_tuned_malloc() {
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

bool keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  if (user_tuned_malloc()) return false;
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit (half its
  // heap size); blocks above it (a ResNet-50 activation at batch 32) are
  // still mapped and unmapped each time. Setting either value turns off
  // glibc's own adjustment of both, hence both are set.
  constexpr int kMmapThreshold = 32 << 20;
  constexpr int kTrimThreshold = 1 << 30;
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
#else
  return false;
#endif
}

void release_kept_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace tl
