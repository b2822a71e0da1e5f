#include "data/fashion_mnist_cache.h"

#include <map>
#include <mutex>
#include <utility>

namespace tl {

Dataset cached_fashion_mnist(const std::string& dir, DataSplit split) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, DataSplit>, Dataset> cache;
  const std::string resolved = dir.empty() ? default_fashion_mnist_dir() : dir;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find({resolved, split});
  if (it == cache.end()) it = cache.emplace(std::make_pair(resolved, split), load_fashion_mnist(resolved, split)).first;
  return it->second;
}

}  // namespace tl
