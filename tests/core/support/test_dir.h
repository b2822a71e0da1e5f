#pragma once

// A scratch directory per test, and the file helpers the tests share.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace tl::test {

/// The bytes of `file`; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes `bytes` to `file`, replacing what it held.
inline void write_file(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A fresh, empty directory, removed with everything in it on destruction.
/// Its name starts with the running test's name and ends in a random suffix,
/// so tests in parallel processes (ctest) and several directories in one test
/// never share one.
class TestDir {
 public:
  TestDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / ("tl_" + test_name() + "_XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error(pattern + ": mkdtemp failed");
    root_ = pattern;
  }
  /// Also removes what a test left read-only or unreadable.
  ~TestDir() {
    std::error_code ignored;
    make_removable(root_);
    std::filesystem::remove_all(root_, ignored);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& root() const { return root_; }

  /// The directory itself, or `relative` inside it.
  std::string path(const std::string& relative = "") const {
    return relative.empty() ? root_.string() : (root_ / relative).string();
  }

  /// Names of the entries directly inside, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(root_)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  // "Suite.Name" of the running test with characters unsafe in a file name replaced.
  static std::string test_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
    }
    return name.substr(0, 120);
  }

  // Gives the owner every permission down the tree, directories first, so
  // remove_all can enter and empty each of them.
  static void make_removable(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec) && !entry.is_symlink(ec)) make_removable(entry.path());
    }
  }

  std::filesystem::path root_;
};

/// A fixture whose tests each get a TestDir.
class TestWithDir : public ::testing::Test {
 protected:
  std::string path(const std::string& relative = "") const { return dir_.path(relative); }
  std::vector<std::string> files() const { return dir_.files(); }

  TestDir dir_;
};

}  // namespace tl::test
