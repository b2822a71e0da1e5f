#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace tl {

/// The contents of a safetensors file: named tensors and the string-to-string
/// "__metadata__" map.
struct SafetensorsContents {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

/// Writes `contents` in the safetensors layout: an 8-byte little-endian header
/// length N, N bytes of JSON header (padded with spaces to a multiple of 8),
/// then the tensors' raw little-endian bytes in name order. Supports F64, F32,
/// F16, BF16, I64, I32, I16, I8, U8 and BOOL. Writes PATH.tmp-<pid>, flushes it
/// to disk and renames it over `path`; on any failure removes the temporary
/// file and throws a message starting with `path`.
void write_safetensors(const SafetensorsContents& contents, const std::string& path);

/// Reads a safetensors file, validating the header (length, JSON, dtypes,
/// shapes, offsets within the data section, no overlaps). Throws a message
/// starting with `path` that names the problem.
SafetensorsContents read_safetensors(const std::string& path);

/// read_safetensors on a file's bytes already in memory; `path` only names the
/// file in error messages.
SafetensorsContents parse_safetensors(const char* bytes, size_t size, const std::string& path);

}  // namespace tl
