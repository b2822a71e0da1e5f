#pragma once

// One entry function per file reader, shared by the libFuzzer binaries
// (tests/fuzz, clang) and the replay test (tests/core/hardening, any compiler).

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tl::fuzz {

/// The file name the readers see for a fuzz input; every rejection must name it.
inline const std::string kInputName = "fuzz-input";

/// Thrown when a reader breaks its contract without crashing: a rejection
/// that does not name the input, or an accepted input that does not survive
/// a round trip. Not a std::runtime_error, so it is never mistaken for a
/// clean rejection; under libFuzzer it escapes and is reported as a crash.
class ContractViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Each feeds `data` to one reader and returns 0 (libFuzzer's convention).
/// Success and a clean rejection (std::runtime_error or std::invalid_argument
/// whose message names kInputName) return normally; anything else (another
/// exception type, a ContractViolation, a sanitizer report) escapes.
int fuzz_idx(const uint8_t* data, size_t size);          ///< read_idx_bytes
int fuzz_safetensors(const uint8_t* data, size_t size);  ///< parse_safetensors
int fuzz_checkpoint(const uint8_t* data, size_t size);   ///< parse_checkpoint
int fuzz_config(const uint8_t* data, size_t size);       ///< parse_config (load_config's parser)

namespace detail {

/// Runs `read`, accepting only clean rejections that name the input.
template <typename Read>
void expect_clean(Read&& read) {
  std::string message;
  try {
    read();
    return;
  } catch (const std::runtime_error& e) {
    message = e.what();
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  if (message.find(kInputName) == std::string::npos) {
    throw ContractViolation("rejection does not name the file: " + message);
  }
}

}  // namespace detail
}  // namespace tl::fuzz
