#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace tl::test {

/// A fresh, empty directory for the running test (ctest runs the tests in
/// parallel processes, each in a directory of its own).
inline std::filesystem::path history_test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "tl_history_test" / info->test_suite_name() / info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace tl::test
