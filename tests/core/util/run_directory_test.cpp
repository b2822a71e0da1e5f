#include "util/run_directory.h"

#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

namespace fs = std::filesystem;

namespace tl {
namespace {

TEST(RunDirectory, NamesTheRunAndTheTimeWithUnsafeCharactersReplaced) {
  const std::string dir = new_run_directory("/tmp/runs", "my run: (a/b)");
  EXPECT_TRUE(std::regex_match(dir, std::regex(R"(/tmp/runs/my_run_a_b_-\d{8}-\d{6})"))) << dir;
  EXPECT_TRUE(std::regex_match(new_run_directory("/tmp/runs", "??"), std::regex(R"(/tmp/runs/_-\d{8}-\d{6})")));
  EXPECT_TRUE(std::regex_match(new_run_directory("/tmp/runs", ""), std::regex(R"(/tmp/runs/run-\d{8}-\d{6})")));
}

TEST(RunDirectory, AnExistingDirectoryGetsANumberedSibling) {
  const test::TestDir dir;
  const std::string runs = dir.path("runs");
  std::string first = new_run_directory(runs, "demo");
  fs::create_directories(first);
  std::string second = new_run_directory(runs, "demo");
  // The clock may have ticked to the next second between the two calls.
  if (second.substr(0, first.size()) == first) EXPECT_EQ(second, first + "-2");
  EXPECT_NE(second, first);
}

}  // namespace
}  // namespace tl
