#pragma once

#include "data/idx_reader.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tl::test {

/// True when Debian's dataset-fashion-mnist is installed.
inline bool have_fashion_mnist() {
  return std::filesystem::exists(std::filesystem::path(default_fashion_mnist_dir()) / "train-labels-idx1-ubyte.gz");
}

}  // namespace tl::test

/// Skips (reported as skipped, not passed) a test that needs the real data.
#define REQUIRE_FASHION_MNIST() \
  if (!::tl::test::have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed"
