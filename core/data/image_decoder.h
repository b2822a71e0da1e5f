#pragma once

#include "data/image_folder.h"

#include <torch/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tl {

/// The size every decoded image is brought to: the model's input.
struct ImageSize {
  int64_t channels = 1;  ///< 1 or 3; grey images are repeated, colour ones turned to luminance
  int64_t height = 28;
  int64_t width = 28;
};

/// A file that could not be decoded, and why.
struct SkippedImage {
  std::string path;
  std::string reason;
};

/// Called with (files done, total); done only grows and ends at total.
using DecodeProgress = std::function<void(int64_t done, int64_t total)>;

struct ImageDecodeOptions {
  ImageSize size;
  /// Where decoded tensors are kept between runs; "" = default_image_cache_dir().
  std::string cache_dir;
  bool use_cache = true;
  int threads = 0;                              ///< worker threads; 0 = std::thread::hardware_concurrency()
  DecodeProgress progress;                      ///< called on the calling thread
  const std::atomic<bool>* cancel = nullptr;    ///< set to stop early (throws ImageDecodeCancelled)
};

/// Decoding stopped because ImageDecodeOptions::cancel was set.
struct ImageDecodeCancelled : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The decoded files of one list, at the requested size.
struct DecodedImages {
  torch::Tensor images;        ///< uint8 [N, C, H, W]: a quarter of float's memory
  torch::Tensor labels;        ///< int64 [N]
  torch::Tensor file_indices;  ///< int64 [N]: the position of each image in the input list
  std::vector<SkippedImage> skipped;  ///< every file that failed, in input order
  int64_t decoded = 0;         ///< files decoded by this call; 0 when the cache answered
  bool from_cache = false;
  std::string cache_file;      ///< "" when caching is off
};

/// $XDG_CACHE_HOME/transferlab/images, else ~/.cache/transferlab/images.
std::string default_image_cache_dir();

/// Decodes `files` on worker threads to `options.size`, skipping (and
/// recording) the files that are not decodable images. With the cache on, the
/// result is stored under a name derived from every file's path, size and
/// modification time plus the target size, so the next call with the same
/// files returns it without decoding; a changed, added or removed file gives
/// another name. An unreadable or stale cache file is ignored and rewritten.
DecodedImages decode_images(const std::vector<ImageFileEntry>& files, const ImageDecodeOptions& options);

}  // namespace tl
