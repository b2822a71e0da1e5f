// libFuzzer's entry point for one reader; TL_FUZZ_ENTRY names its fuzz_* function.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tl::fuzz::TL_FUZZ_ENTRY(data, size);
}
