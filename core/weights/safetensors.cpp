#include "weights/safetensors.h"

#include "util/bounded_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <vector>

#include <unistd.h>

namespace tl {

namespace {

static_assert(sizeof(uint64_t) == 8, "safetensors needs 64-bit header lengths");

const char* const kMetadataKey = "__metadata__";

struct DtypeCode {
  const char* code;
  torch::ScalarType type;
};

const std::vector<DtypeCode>& dtype_codes() {
  static const std::vector<DtypeCode> codes{
      {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
      {"I64", torch::kInt64},   {"I32", torch::kInt32},   {"I16", torch::kInt16},   {"I8", torch::kInt8},
      {"U8", torch::kUInt8},    {"BOOL", torch::kBool}};
  return codes;
}

std::string code_of(torch::ScalarType type) {
  for (const auto& c : dtype_codes()) {
    if (c.type == type) return c.code;
  }
  return "";
}

bool type_of(const std::string& code, torch::ScalarType& type) {
  for (const auto& c : dtype_codes()) {
    if (code == c.code) {
      type = c.type;
      return true;
    }
  }
  return false;
}

bool little_endian_host() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

void check_host() {
  if (!little_endian_host()) throw std::runtime_error("safetensors I/O needs a little-endian host");
}

template <typename Int>
std::string shape_text(const std::vector<Int>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// ---- writing ---------------------------------------------------------------

/// CPU contiguous copies of the tensors, each checked to be storable.
std::vector<std::pair<std::string, torch::Tensor>> storable(const std::map<std::string, torch::Tensor>& tensors) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) throw std::invalid_argument("a tensor may not be named " + std::string(kMetadataKey));
    if (!tensor.defined()) throw std::invalid_argument("tensor '" + name + "' is undefined");
    if (code_of(tensor.scalar_type()).empty()) {
      throw std::invalid_argument("tensor '" + name + "' has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                                  ", which safetensors cannot store");
    }
    out.emplace_back(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  return out;
}

std::string header_text(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    const uint64_t bytes = tensor.numel() * tensor.element_size();
    header[name] = {{"dtype", code_of(tensor.scalar_type())},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keep the data section 8-byte aligned
  return text;
}

std::string errno_text() { return std::strerror(errno); }

void write_all(std::FILE* file, const void* data, size_t size, const std::string& temp) {
  if (size > 0 && std::fwrite(data, 1, size, file) != size) {
    throw std::runtime_error("cannot write " + temp + ": " + errno_text());
  }
}

void write_file(const std::string& temp, const std::string& header,
                const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot create " + temp + ": " + errno_text());
  try {
    unsigned char length[8];
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
    write_all(file, length, sizeof(length), temp);
    write_all(file, header.data(), header.size(), temp);
    for (const auto& item : tensors) {
      write_all(file, item.second.data_ptr(), item.second.numel() * item.second.element_size(), temp);
    }
    if (std::fflush(file) != 0 || ::fsync(fileno(file)) != 0) {
      throw std::runtime_error("cannot write " + temp + ": " + errno_text());
    }
  } catch (...) {
    std::fclose(file);
    throw;
  }
  if (std::fclose(file) != 0) throw std::runtime_error("cannot write " + temp + ": " + errno_text());
}

// ---- reading ---------------------------------------------------------------

std::vector<char> read_bytes(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw std::runtime_error(path + ": is a directory, not a checkpoint file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    const int error = errno;
    throw std::runtime_error(path + ": " + (error == ENOENT ? std::string("file not found")
                                                            : "cannot open: " + std::string(std::strerror(error))));
  }
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error(path + ": cannot read (is it a directory?)");
  std::vector<char> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(bytes.data(), size)) throw std::runtime_error(path + ": read error");
  return bytes;
}

/// One header entry, validated against the data section.
struct Entry {
  std::string name;
  torch::ScalarType type = torch::kFloat32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// Bytes the dtype and shape need, saturating at max() on overflow.
uint64_t needed_bytes(torch::ScalarType type, const std::vector<int64_t>& shape) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max();
  uint64_t bytes = c10::elementSize(type);
  for (const int64_t dim : shape) {
    const auto d = static_cast<uint64_t>(dim);
    if (d != 0 && bytes > limit / d) return limit;
    bytes *= d;
  }
  return bytes;
}

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& j, uint64_t data_size) {
  const std::string where = path + ": tensor '" + name + "'";
  const bool well_formed = j.is_object() && j.contains("dtype") && j["dtype"].is_string() && j.contains("shape") &&
                           j["shape"].is_array() && j.contains("data_offsets") && j["data_offsets"].is_array() &&
                           j["data_offsets"].size() == 2 && j["data_offsets"][0].is_number_unsigned() &&
                           j["data_offsets"][1].is_number_unsigned() &&
                           std::all_of(j["shape"].begin(), j["shape"].end(),
                                       [](const nlohmann::json& d) { return d.is_number_unsigned(); });
  if (!well_formed) {
    throw std::runtime_error(where + " needs \"dtype\", \"shape\" and \"data_offsets\" [begin, end] "
                             "with non-negative integers");
  }
  Entry e;
  e.name = name;
  const auto code = j["dtype"].get<std::string>();
  if (!type_of(code, e.type)) throw std::runtime_error(where + " has unsupported dtype '" + code + "'");
  std::vector<uint64_t> dims;
  for (const auto& d : j["shape"]) dims.push_back(d.get<uint64_t>());
  e.shape.assign(dims.begin(), dims.end());  // dims above 2^63 wrap; the size checks below refuse them
  e.begin = j["data_offsets"][0].get<uint64_t>();
  e.end = j["data_offsets"][1].get<uint64_t>();
  const std::string offsets = "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
  if (e.begin > e.end || e.end > data_size) {
    throw std::runtime_error(where + " has data_offsets " + offsets + " outside the data section of " +
                             std::to_string(data_size) + " bytes");
  }
  const uint64_t needed = needed_bytes(e.type, e.shape);
  if (e.end - e.begin != needed) {
    throw std::runtime_error(where + " has data_offsets " + offsets + " (" + std::to_string(e.end - e.begin) +
                             " bytes) but " + code + " " + shape_text(dims) + " needs " +
                             std::to_string(needed) + " bytes");
  }
  // A tensor with no elements passes the check above whatever its other
  // dimensions, but LibTorch computes the storage size over the non-zero
  // ones in int64 and refuses [2^62, 4, 0].
  std::vector<int64_t> nonzero;
  std::copy_if(e.shape.begin(), e.shape.end(), std::back_inserter(nonzero), [](int64_t d) { return d != 0; });
  if (needed_bytes(e.type, nonzero) > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw std::runtime_error(where + " has shape " + shape_text(dims) + ", too large to address");
  }
  return e;
}

void check_overlaps(const std::string& path, std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      throw std::runtime_error(path + ": tensors '" + entries[i - 1].name + "' and '" + entries[i].name +
                               "' overlap in the data section");
    }
  }
}

std::map<std::string, std::string> parse_metadata(const std::string& path, const nlohmann::json& j) {
  std::map<std::string, std::string> metadata;
  if (!j.is_object()) throw std::runtime_error(path + ": \"__metadata__\" is not a JSON object");
  for (const auto& item : j.items()) {
    if (!item.value().is_string()) {
      throw std::runtime_error(path + ": \"__metadata__\".\"" + item.key() + "\" is not a string");
    }
    metadata[item.key()] = item.value().get<std::string>();
  }
  return metadata;
}

nlohmann::json parse_header(const std::string& path, const char* bytes, size_t size, uint64_t& header_size) {
  if (size < 8) {
    throw std::runtime_error(path + ": truncated file of " + std::to_string(size) +
                             " bytes; expected at least 8 for the header length");
  }
  header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(bytes[i]);
  if (header_size > size - 8) {
    throw std::runtime_error(path + ": header length " + std::to_string(header_size) +
                             " is larger than the rest of the file (" + std::to_string(size - 8) + " bytes)");
  }
  nlohmann::json header;
  try {
    header = parse_bounded_json(bytes + 8, bytes + 8 + header_size);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": header is not valid JSON (" + e.what() + ")");
  } catch (const JsonRejected& e) {
    throw std::runtime_error(path + ": header " + e.what());
  }
  if (!header.is_object()) throw std::runtime_error(path + ": header is not a JSON object");
  return header;
}

}  // namespace

void write_safetensors(const SafetensorsContents& contents, const std::string& path) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  try {
    check_host();
    const auto tensors = storable(contents.tensors);
    const std::string header = header_text(tensors, contents.metadata);
    write_file(temp, header, tensors);
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename " + temp + " to it: " + errno_text());
    }
  } catch (const std::exception& e) {
    std::remove(temp.c_str());
    throw std::runtime_error(path + ": cannot save checkpoint: " + e.what());
  }
}

SafetensorsContents read_safetensors(const std::string& path) {
  const std::vector<char> bytes = read_bytes(path);
  return parse_safetensors(bytes.data(), bytes.size(), path);
}

SafetensorsContents parse_safetensors(const char* bytes, size_t size, const std::string& path) {
  check_host();
  uint64_t header_size = 0;
  const nlohmann::json header = parse_header(path, bytes, size, header_size);
  const uint64_t data_start = 8 + header_size;
  const uint64_t data_size = size - data_start;

  SafetensorsContents contents;
  std::vector<Entry> entries;
  for (const auto& item : header.items()) {
    if (item.key() == kMetadataKey) {
      contents.metadata = parse_metadata(path, item.value());
    } else {
      entries.push_back(parse_entry(path, item.key(), item.value(), data_size));
    }
  }
  check_overlaps(path, entries);
  for (const auto& e : entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.type));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), bytes + data_start + e.begin, e.end - e.begin);
    contents.tensors.emplace(e.name, std::move(t));
  }
  return contents;
}

}  // namespace tl
