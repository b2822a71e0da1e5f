#include "weights/checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace tl {
namespace {

using test::write_file;

/// Bad checkpoint files and the exact messages they give.
class CheckpointFileErrors : public test::TestWithDir {
 protected:
  /// A file with the given header text and `data_bytes` zero bytes of data.
  std::string file_with(const std::string& header, size_t data_bytes, const std::string& name = "bad.safetensors") {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((uint64_t{header.size()} >> (8 * i)) & 0xff);
    bytes += header;
    bytes += std::string(data_bytes, '\0');
    write_file(path(name), bytes);
    return path(name);
  }

  static std::string metadata_entry(const std::string& json = R"({"architecture":"small_cnn"})") {
    return R"("__metadata__":{"transferlab":)" + nlohmann::json(json).dump() + "}";
  }

  static std::string error_loading(const std::string& file) {
    try {
      load_checkpoint(file);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "(no exception)";
  }
};

TEST_F(CheckpointFileErrors, MissingFile) {
  EXPECT_EQ(error_loading(path("nope.safetensors")), path("nope.safetensors") + ": file not found");
}

TEST_F(CheckpointFileErrors, Directory) {
  EXPECT_EQ(error_loading(path()), path() + ": is a directory, not a checkpoint file");
}

TEST_F(CheckpointFileErrors, ShorterThanTheHeaderLength) {
  write_file(path("short.safetensors"), "abcde");
  EXPECT_EQ(error_loading(path("short.safetensors")),
            path("short.safetensors") + ": truncated file of 5 bytes; expected at least 8 for the header length");
  write_file(path("empty.safetensors"), "");
  EXPECT_EQ(error_loading(path("empty.safetensors")),
            path("empty.safetensors") + ": truncated file of 0 bytes; expected at least 8 for the header length");
}

TEST_F(CheckpointFileErrors, HeaderLengthLargerThanTheFile) {
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(0xe8);  // 1000
  bytes[1] = 0x03;
  write_file(path("long.safetensors"), bytes + "{\"a\": 1}  ");
  EXPECT_EQ(error_loading(path("long.safetensors")),
            path("long.safetensors") + ": header length 1000 is larger than the rest of the file (10 bytes)");
  write_file(path("huge.safetensors"), std::string(8, '\xff') + "{}");
  EXPECT_EQ(error_loading(path("huge.safetensors")),
            path("huge.safetensors") + ": header length 18446744073709551615 is larger than the rest of the file (2 bytes)");
}

TEST_F(CheckpointFileErrors, InvalidJson) {
  const std::string message = error_loading(file_with("{\"w\": [1, 2", 0));
  EXPECT_EQ(message.rfind(path("bad.safetensors") + ": header is not valid JSON (", 0), 0u) << message;
  EXPECT_EQ(error_loading(file_with("[1, 2]  ", 0)), path("bad.safetensors") + ": header is not a JSON object");
}

TEST_F(CheckpointFileErrors, TruncatedData) {
  // A valid file cut short: 'w' claims bytes [0, 16) but only 12 remain.
  const std::string file =
      file_with(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)" + metadata_entry() + "}", 12);
  EXPECT_EQ(error_loading(file),
            file + ": tensor 'w' has data_offsets [0, 16] outside the data section of 12 bytes");
}

TEST_F(CheckpointFileErrors, OffsetsBackwards) {
  const std::string file =
      file_with(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]},)" + metadata_entry() + "}", 16);
  EXPECT_EQ(error_loading(file), file + ": tensor 'w' has data_offsets [8, 4] outside the data section of 16 bytes");
}

TEST_F(CheckpointFileErrors, SizeNotMatchingDtypeAndShape) {
  const std::string file =
      file_with(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]},)" + metadata_entry() + "}", 16);
  EXPECT_EQ(error_loading(file),
            file + ": tensor 'w' has data_offsets [0, 16] (16 bytes) but F32 [2, 3] needs 24 bytes");
}

TEST_F(CheckpointFileErrors, HugeShapeDoesNotOverflow) {
  const std::string file = file_with(
      R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]},)" + metadata_entry() + "}", 8);
  EXPECT_EQ(error_loading(file), file + ": tensor 'w' has data_offsets [0, 8] (8 bytes) but F64 "
                                        "[4294967296, 4294967296] needs 18446744073709551615 bytes");
}

TEST_F(CheckpointFileErrors, OverlappingTensors) {
  const std::string file = file_with(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                     R"("b":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},)" +
                                         metadata_entry() + "}",
                                     24);
  EXPECT_EQ(error_loading(file), file + ": tensors 'a' and 'b' overlap in the data section");
}

TEST_F(CheckpointFileErrors, UnknownDtype) {
  const std::string file =
      file_with(R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]},)" + metadata_entry() + "}", 8);
  EXPECT_EQ(error_loading(file), file + ": tensor 'w' has unsupported dtype 'C64'");
}

TEST_F(CheckpointFileErrors, MalformedEntry) {
  const std::string file = file_with(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]},)" +
                                         metadata_entry() + "}",
                                     4);
  EXPECT_EQ(error_loading(file), file + ": tensor 'w' needs \"dtype\", \"shape\" and \"data_offsets\" [begin, end] "
                                        "with non-negative integers");
}

TEST_F(CheckpointFileErrors, NoTransferLabMetadata) {
  const std::string file = file_with(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1);
  EXPECT_EQ(error_loading(file),
            file + ": not a Transfer Lab checkpoint (no \"__metadata__\".\"transferlab\" entry)");
}

TEST_F(CheckpointFileErrors, MetadataWithoutArchitecture) {
  const std::string file = file_with("{" + metadata_entry(R"({"source_task":"x"})") + "}", 0);
  EXPECT_EQ(error_loading(file), file + ": checkpoint metadata: missing \"architecture\"");
}

TEST_F(CheckpointFileErrors, MetadataNotJson) {
  const std::string message = error_loading(file_with("{" + metadata_entry("{oops") + "}", 0));
  EXPECT_EQ(message.rfind(path("bad.safetensors") + ": the transferlab metadata is not valid JSON (", 0), 0u)
      << message;
}

TEST_F(CheckpointFileErrors, MetadataValuesMustBeStrings) {
  const std::string file = file_with(R"({"__metadata__":{"transferlab":{"architecture":"small_cnn"}}})", 0);
  EXPECT_EQ(error_loading(file), file + ": \"__metadata__\".\"transferlab\" is not a string");
}

TEST_F(CheckpointFileErrors, HandWrittenValidFileLoads) {
  const std::string file = file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                     R"("e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},)" +
                                         metadata_entry() + "}",
                                     8);
  const Checkpoint c = load_checkpoint(file);
  EXPECT_EQ(c.metadata.architecture, "small_cnn");
  EXPECT_TRUE(torch::equal(c.tensors.at("a"), torch::zeros({2})));
  EXPECT_EQ(c.tensors.at("e").numel(), 0);
}

}  // namespace
}  // namespace tl
