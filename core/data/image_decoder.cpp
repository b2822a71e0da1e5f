#include "data/image_decoder.h"

#include "data/image_file.h"

#include <torch/serialize.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace tl {
namespace fs = std::filesystem;
namespace {

// Bumped whenever decoding or the stored layout changes, so old caches miss.
constexpr int kCacheFormat = 1;

uint64_t fnv1a(const std::string& text, uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// Everything the decoded tensors depend on, as one string: the cache stores it
// and compares it in full, so a hash collision cannot serve the wrong images.
std::string cache_identity(const std::vector<ImageFileEntry>& files, const ImageSize& size) {
  std::ostringstream id;
  id << "format " << kCacheFormat << " size " << size.channels << "x" << size.height << "x" << size.width << "\n";
  for (const auto& f : files) {
    std::error_code ec;
    const auto bytes = fs::file_size(f.path, ec);
    const auto mtime = fs::last_write_time(f.path, ec).time_since_epoch().count();
    id << f.label << " " << (ec ? -1 : static_cast<int64_t>(bytes)) << " " << mtime << " " << f.path << "\n";
  }
  return id.str();
}

std::string hex(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

nlohmann::json skipped_to_json(const std::vector<SkippedImage>& skipped) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : skipped) list.push_back({{"path", s.path}, {"reason", s.reason}});
  return list;
}

// The cached result, or nothing when the file is missing, unreadable or was
// made for other files: a cache never fails a load.
std::optional<DecodedImages> read_cache(const std::string& file, const std::string& identity) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file);
    c10::IValue stored_identity, skipped_text;
    DecodedImages d;
    archive.read("identity", stored_identity);
    if (!stored_identity.isString() || stored_identity.toStringRef() != identity) return std::nullopt;
    archive.read("images", d.images);
    archive.read("labels", d.labels);
    archive.read("file_indices", d.file_indices);
    archive.read("skipped", skipped_text);
    for (const auto& s : nlohmann::json::parse(skipped_text.toStringRef())) {
      d.skipped.push_back({s.at("path").get<std::string>(), s.at("reason").get<std::string>()});
    }
    const int64_t n = d.labels.size(0);
    if (d.images.dim() != 4 || d.images.scalar_type() != torch::kUInt8 || d.images.size(0) != n ||
        d.file_indices.size(0) != n) {
      return std::nullopt;
    }
    d.from_cache = true;
    d.cache_file = file;
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Written to a temporary file and renamed, so a crash never leaves a torn
// cache; a cache that cannot be written only costs the next run a decode.
void write_cache(const DecodedImages& d, const std::string& file, const std::string& identity) {
  const std::string temporary = file + ".tmp" + std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  try {
    fs::create_directories(fs::path(file).parent_path());
    torch::serialize::OutputArchive archive;
    archive.write("identity", c10::IValue(identity));
    archive.write("images", d.images);
    archive.write("labels", d.labels);
    archive.write("file_indices", d.file_indices);
    archive.write("skipped", c10::IValue(skipped_to_json(d.skipped).dump()));
    archive.save_to(temporary);
    fs::rename(temporary, file);
  } catch (const std::exception&) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
  }
}

// One file → uint8 [C, H, W] at the target size.
torch::Tensor decode_one(const std::string& path, const ImageSize& size) {
  const torch::Tensor image = read_image(path, size.channels);
  return resize_image(image, size.height, size.width).mul_(255.0).round_().to(torch::kUInt8);
}

int worker_count(int requested, size_t files) {
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t wanted = requested > 0 ? static_cast<size_t>(requested) : hardware;
  return static_cast<int>(std::max<size_t>(1, std::min(wanted, files)));
}

// Decodes every file into its slot of `images` on a pool of threads that
// take the next file from a shared counter; returns each file's failure
// message ("" = decoded).
std::vector<std::string> decode_all(const std::vector<ImageFileEntry>& files, const ImageDecodeOptions& options,
                                    torch::Tensor& images) {
  const int64_t total = static_cast<int64_t>(files.size());
  std::vector<std::string> failures(files.size());
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex mutex;
  std::condition_variable progressed;

  const auto cancelled = [&] { return options.cancel && options.cancel->load(); };
  const auto work = [&] {
    c10::InferenceMode inference;
    for (int64_t i = next++; i < total && !cancelled(); i = next++) {
      try {
        images[i].copy_(decode_one(files[i].path, options.size));
      } catch (const ImageFileError& e) {
        failures[i] = e.what();
      } catch (const std::exception& e) {
        failures[i] = files[i].path + ": " + e.what();
      }
      ++done;
      progressed.notify_one();
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < worker_count(options.threads, files.size()); ++w) workers.emplace_back(work);

  // Progress is reported from this thread, so callers need no locking.
  int64_t reported = -1;
  while (true) {
    const int64_t now = done.load();
    if (options.progress && now != reported) options.progress(now, total);
    reported = now;
    if (now == total || cancelled()) break;
    std::unique_lock<std::mutex> lock(mutex);
    progressed.wait_for(lock, std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  if (cancelled()) throw ImageDecodeCancelled("image decoding cancelled");
  return failures;
}

}  // namespace

std::string default_image_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return (fs::path(xdg) / "transferlab" / "images").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / ".cache" / "transferlab" / "images").string();
}

DecodedImages decode_images(const std::vector<ImageFileEntry>& files, const ImageDecodeOptions& options) {
  const ImageSize& size = options.size;
  if ((size.channels != 1 && size.channels != 3) || size.height < 1 || size.width < 1) {
    throw std::invalid_argument("decode_images: expected 1 or 3 channels and a positive size, got " +
                                std::to_string(size.channels) + "x" + std::to_string(size.height) + "x" +
                                std::to_string(size.width));
  }
  std::string identity, cache_file;
  if (options.use_cache) {
    identity = cache_identity(files, size);
    const std::string dir = options.cache_dir.empty() ? default_image_cache_dir() : options.cache_dir;
    cache_file = (fs::path(dir) / (hex(fnv1a(identity)) + ".pt")).string();
    if (auto cached = read_cache(cache_file, identity)) {
      if (options.progress) options.progress(static_cast<int64_t>(files.size()), static_cast<int64_t>(files.size()));
      return *cached;
    }
  }

  const int64_t total = static_cast<int64_t>(files.size());
  torch::Tensor images = torch::empty({total, size.channels, size.height, size.width}, torch::kUInt8);
  const std::vector<std::string> failures = decode_all(files, options, images);

  DecodedImages d;
  std::vector<int64_t> kept, labels;
  for (int64_t i = 0; i < total; ++i) {
    if (failures[i].empty()) {
      kept.push_back(i);
      labels.push_back(files[i].label);
    } else {
      d.skipped.push_back({files[i].path, failures[i]});
    }
  }
  d.file_indices = torch::tensor(kept, torch::kLong);
  d.labels = torch::tensor(labels, torch::kLong);
  // Only copy when something was dropped; the common case keeps the buffer.
  d.images = d.skipped.empty() ? images : images.index_select(0, d.file_indices);
  d.decoded = total;
  if (options.use_cache) {
    d.cache_file = cache_file;
    write_cache(d, cache_file, identity);
  }
  return d;
}

}  // namespace tl
