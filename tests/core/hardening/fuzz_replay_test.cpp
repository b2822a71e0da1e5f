// Replays the fuzz targets' seed corpus and every regression file through the
// same entry functions libFuzzer calls (tests/fuzz/targets), so a fixed
// finding stays fixed in the normal build, where no fuzzer runs.
#include "fuzz_targets.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace tl::fuzz {
namespace {

namespace fs = std::filesystem;

struct FuzzTarget {
  const char* name;  ///< the folder under tests/fuzz/corpus and tests/fuzz/regressions
  int (*entry)(const uint8_t*, size_t);
};

const FuzzTarget kTargets[] = {
    {"idx", fuzz_idx}, {"safetensors", fuzz_safetensors}, {"checkpoint", fuzz_checkpoint}, {"config", fuzz_config}};

std::vector<uint8_t> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The regular files of tests/fuzz/<set>/<target>, sorted for stable output.
std::vector<fs::path> inputs(const std::string& set, const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(TL_FUZZ_DIR) / set / target;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// Feeds every file to the target; each must be read or cleanly rejected.
void replay(const FuzzTarget& target, const std::vector<fs::path>& files) {
  for (const auto& file : files) {
    const std::vector<uint8_t> bytes = file_bytes(file);
    try {
      target.entry(bytes.data(), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << file.string() << ": " << e.what();
    }
  }
}

class FuzzReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplay, SeedCorpusIsReadOrCleanlyRejected) {
  const auto files = inputs("corpus", GetParam().name);
  EXPECT_GE(files.size(), 5u) << "the seed corpus of " << GetParam().name
                              << " is missing; tests/fuzz/make_corpus.py writes it";
  replay(GetParam(), files);
}

TEST_P(FuzzReplay, RegressionInputsAreReadOrCleanlyRejected) {
  replay(GetParam(), inputs("regressions", GetParam().name));
}

INSTANTIATE_TEST_SUITE_P(Readers, FuzzReplay, ::testing::ValuesIn(kTargets),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) { return std::string(info.param.name); });

// The entry functions' contract, which the fuzzers rely on to tell a finding
// from a clean rejection.

TEST(FuzzContract, RejectionNamingTheInputIsClean) {
  EXPECT_NO_THROW(detail::expect_clean([] { throw std::runtime_error(kInputName + ": truncated"); }));
  EXPECT_NO_THROW(detail::expect_clean([] { throw std::invalid_argument(kInputName + ": bad shape"); }));
}

TEST(FuzzContract, RejectionWithoutTheFileNameIsAViolation) {
  EXPECT_THROW(detail::expect_clean([] { throw std::runtime_error("truncated"); }), ContractViolation);
}

TEST(FuzzContract, OtherExceptionTypesEscape) {
  EXPECT_THROW(detail::expect_clean([] { throw std::bad_alloc(); }), std::bad_alloc);
  EXPECT_THROW(detail::expect_clean([] { throw std::out_of_range(kInputName); }), std::out_of_range);
}

TEST(FuzzContract, EmptyInputIsCleanlyRejectedByEveryReader) {
  for (const auto& target : kTargets) {
    EXPECT_NO_THROW(target.entry(nullptr, 0)) << target.name;
  }
}

}  // namespace
}  // namespace tl::fuzz
