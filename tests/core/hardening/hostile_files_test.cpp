// The hostile-file corpus: files a user could hand to each reader by mistake
// or on purpose. Each must give a clean error that names the file and the
// problem; none may crash, hang or allocate what a header merely declares.
#include "data/idx_reader.h"
#include "experiment/experiment_config.h"
#include "experiment/run_resume.h"
#include "train/training_checkpoint.h"
#include "weights/checkpoint.h"
#include "weights/safetensors.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tl {
namespace {

namespace fs = std::filesystem;

// ---- building hostile bytes ----------------------------------------------------

std::string idx_header(const std::vector<uint32_t>& dims) {
  std::string b = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<char>(d >> shift));
  }
  return b;
}

std::string gzip(const std::string& raw) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, raw.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string little_endian_u64(uint64_t n) {
  std::string b;
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<char>(n >> (8 * i)));
  return b;
}

/// A safetensors file: length, `header` padded with spaces, `data`.
std::string safetensors(std::string header, const std::string& data = "") {
  header.append((8 - header.size() % 8) % 8, ' ');
  return little_endian_u64(header.size()) + header + data;
}

std::string transferlab_metadata(const std::string& metadata_json) {
  return nlohmann::json{{"__metadata__", {{"transferlab", metadata_json}}}}.dump();
}

std::string training_progress(const std::string& progress_json) {
  return nlohmann::json{{"__metadata__", {{"transferlab_training", progress_json}}}}.dump();
}

std::string nested_arrays(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

const std::string kPngMagic = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

// ---- the corpus ------------------------------------------------------------------

enum class Reader { Idx, Safetensors, Checkpoint, TrainingCheckpoint, Config };

struct HostileFile {
  std::string name;      ///< test name and file name
  Reader reader;
  std::string bytes;     ///< the file's content; ignored when `directory`
  std::string expected;  ///< a substring of the message, after "<path>: "
  bool directory = false;
};

std::vector<HostileFile> hostile_files() {
  const std::string images = idx_header({2, 4, 4}) + std::string(32, '\x07');
  std::string noisy_images = idx_header({4, 8, 8});  // pixels that gzip cannot shrink much
  for (uint32_t i = 0, x = 1; i < 256; ++i) noisy_images.push_back(static_cast<char>((x = x * 1103515245u + 12345u) >> 24));
  return {
      // IDX
      {"IdxZeroBytes", Reader::Idx, "", "truncated: expected a header of 4 bytes, read 0"},
      {"IdxTruncatedHeader", Reader::Idx, images.substr(0, 9), "truncated: expected a header of 12 bytes, read 5"},
      {"IdxTruncatedPayload", Reader::Idx, images.substr(0, images.size() - 5),
       "truncated: expected 32 bytes of data, read 27"},
      {"IdxTruncatedGzip", Reader::Idx, gzip(noisy_images).substr(0, gzip(noisy_images).size() - 24),
       "truncated: expected 256 bytes of data, read "},
      // 2^31 bytes is just within the limit: the reader must find the data
      // missing without first allocating 2 GiB (the fuzzers run with a 512 MB
      // allocation limit to catch that).
      {"IdxDeclares2GiBButHoldsNothing", Reader::Idx, idx_header({0x80000000u}),
       "truncated: expected 2147483648 bytes of data, read 0"},
      {"IdxGzipDeclares2GiB", Reader::Idx, gzip(idx_header({0x80000000u}) + "abc"),
       "truncated: expected 2147483648 bytes of data, read 3"},
      {"IdxDimsOf2Pow31Squared", Reader::Idx, idx_header({0x80000000u, 0x80000000u}),
       "declared size 2147483648 x 2147483648 exceeds the limit of 2147483648 bytes"},
      {"IdxZeroDimBesideHugeDims", Reader::Idx, idx_header({0x01000000u, 0x02000000u, 0x01000000u, 0}),
       "declared size 16777216 x 33554432 x 16777216 x 0 exceeds the limit of 2147483648 bytes"},
      {"IdxWrongMagic", Reader::Idx, kPngMagic, "bad magic: expected an IDX file starting with two zero bytes"},
      {"IdxCorruptGzip", Reader::Idx, std::string("\x1f\x8b\x08\x00", 4) + std::string(40, '\xff'),
       "corrupt gzip data: "},
      {"IdxDirectory", Reader::Idx, "", "is a directory, expected an IDX file", true},
      // safetensors
      {"SafetensorsZeroBytes", Reader::Safetensors, "", "truncated file of 0 bytes"},
      {"SafetensorsHeaderLength2Pow63", Reader::Safetensors, little_endian_u64(uint64_t{1} << 63) + "{}",
       "header length 9223372036854775808 is larger than the rest of the file (2 bytes)"},
      {"SafetensorsWrongMagic", Reader::Safetensors, kPngMagic, "is larger than the rest of the file"},
      {"SafetensorsOffsetsBeyondTheEnd", Reader::Safetensors,
       safetensors(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0')),
       "tensor 'w' has data_offsets [0, 16] outside the data section of 8 bytes"},
      {"SafetensorsHugeShape", Reader::Safetensors,
       safetensors(R"({"w":{"dtype":"F32","shape":[1099511627776,4],"data_offsets":[0,8]}})",
                   std::string(8, '\0')),
       "tensor 'w' has data_offsets [0, 8] (8 bytes) but F32 [1099511627776, 4] needs 17592186044416 bytes"},
      {"SafetensorsZeroSizedHugeShape", Reader::Safetensors,
       safetensors(R"({"w":{"dtype":"U8","shape":[4611686018427387904,2,0],"data_offsets":[0,0]}})"),
       "tensor 'w' has shape [4611686018427387904, 2, 0], too large to address"},
      {"SafetensorsShapeBeyondInt64", Reader::Safetensors,
       safetensors(R"({"w":{"dtype":"U8","shape":[18446744073709551615,0],"data_offsets":[0,0]}})"),
       "too large to address"},
      {"SafetensorsDeeplyNestedHeader", Reader::Safetensors, safetensors("{\"w\":" + nested_arrays(100000) + "}"),
       "header JSON nests deeper than 100 levels"},
      {"SafetensorsNumberTooLarge", Reader::Safetensors,
       safetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1e400]}})", "x"),
       "header JSON number overflow parsing '1e400'"},
      {"SafetensorsNonUtf8Name", Reader::Safetensors,
       safetensors("{\"\xff\xfe\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "x"),
       "header is not valid JSON ("},
      {"SafetensorsDirectory", Reader::Safetensors, "", "is a directory, not a checkpoint file", true},
      // checkpoints
      {"CheckpointWithoutTransferLabMetadata", Reader::Checkpoint, safetensors("{}"),
       "not a Transfer Lab checkpoint (no \"__metadata__\".\"transferlab\" entry)"},
      {"CheckpointDeeplyNestedMetadata", Reader::Checkpoint,
       safetensors(transferlab_metadata("{\"architecture\":\"small_cnn\",\"extra\":" + nested_arrays(100000) + "}")),
       "the transferlab metadata JSON nests deeper than 100 levels"},
      {"CheckpointMetadataOfWrongTypes", Reader::Checkpoint,
       safetensors(transferlab_metadata(R"({"architecture":"small_cnn","class_names":"Coat","seed":"one"})")),
       "checkpoint metadata: \"class_names\" has the wrong type (string)"},
      {"CheckpointZeroBytes", Reader::Checkpoint, "", "truncated file of 0 bytes"},
      // training checkpoints (run --resume)
      {"TrainingCheckpointWithoutProgress", Reader::TrainingCheckpoint, safetensors("{}"),
       "not a training checkpoint (no \"__metadata__\".\"transferlab_training\" entry)"},
      {"TrainingCheckpointDeeplyNestedProgress", Reader::TrainingCheckpoint,
       safetensors(training_progress("{\"plan\":" + nested_arrays(100000) + "}")),
       "the training progress is refused (JSON nests deeper than 100 levels)"},
      {"TrainingCheckpointProgressNotJson", Reader::TrainingCheckpoint, safetensors(training_progress("{plan")),
       "the training progress is not valid JSON"},
      {"TrainingCheckpointProgressNotAnObject", Reader::TrainingCheckpoint, safetensors(training_progress("[1]")),
       "the training progress is not an object"},
      // configs
      {"ConfigZeroBytes", Reader::Config, "", "is empty, expected a JSON config"},
      {"ConfigOf100000OpenBrackets", Reader::Config, std::string(100000, '['), "JSON nests deeper than 100 levels"},
      {"ConfigDeeplyNestedField", Reader::Config, "{\"name\": " + nested_arrays(100000) + "}",
       "JSON nests deeper than 100 levels"},
      {"ConfigOfWrongTypesEverywhere", Reader::Config,
       R"({"name": 5, "model": [], "target": {"classes": "all"}, "training": {"epochs": "ten"}})",
       "name: expected a string, got 5"},
      {"ConfigNestedWrongType", Reader::Config, R"({"training": {"epochs": "ten"}})",
       "training.epochs: expected an integer"},
      {"ConfigNumberTooLarge", Reader::Config, R"({"training": {"learning_rate": 1e400}})",
       "JSON number overflow parsing '1e400'"},
      {"ConfigNonUtf8String", Reader::Config, "{\"name\": \"\xff\xfe\"}", "not valid JSON (byte 11)"},
      {"ConfigTruncated", Reader::Config, R"({"name": "cut", "model": {"pretrained": "small_cnn)",
       "not valid JSON (byte "},
      {"ConfigWrongMagic", Reader::Config, kPngMagic, "not valid JSON (byte 1)"},
      {"ConfigDirectory", Reader::Config, "", "is a directory, expected a config file", true},
  };
}

void read_with(Reader reader, const std::string& path) {
  switch (reader) {
    case Reader::Idx: read_idx(path); break;
    case Reader::Safetensors: read_safetensors(path); break;
    case Reader::Checkpoint: load_checkpoint(path); break;
    case Reader::TrainingCheckpoint: load_training_checkpoint(path); break;
    case Reader::Config: load_config(path); break;
  }
}

class HostileFiles : public ::testing::TestWithParam<HostileFile> {
 protected:
  std::string write(const HostileFile& file) {
    const std::string path = dir_.path(file.name);
    if (file.directory) {
      fs::create_directories(path);
    } else {
      test::write_file(path, file.bytes);
    }
    return path;
  }

  test::TestDir dir_;
};

TEST_P(HostileFiles, GiveAnErrorNamingTheFileAndTheProblem) {
  const HostileFile& file = GetParam();
  const std::string path = write(file);
  try {
    read_with(file.reader, path);
    FAIL() << file.name << " was accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(file.expected), std::string::npos) << "expected \"" << file.expected << "\" in: " << message;
  }
}

// The event log is read line by line for display: a hostile line is skipped,
// the lines around it still count.
TEST(HostileEventLog, ADeeplyNestedBrokenOrMistypedLineIsSkipped) {
  const test::TestDir dir;
  test::write_file(run_event_log_path(dir.path()),
                   R"({"epoch":1,"batch":0,"kind":"start","details":"3 epochs"})" "\n" + nested_arrays(100000) +
                       "\n{\"kind\": \n{\"kind\": 5, \"epoch\": \"one\"}\n"
                       R"({"epoch":1,"batch":10,"kind":"checkpoint","details":"after epoch 1"})" "\n");
  const std::vector<RunEvent> events = read_run_events(dir.path());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, RunEventKind::Start);
  EXPECT_EQ(events[1].kind, RunEventKind::Checkpoint);
  EXPECT_EQ(events[1].batch, 10);
}

// The window asks at start whether the last run can resume: whatever its
// run.json holds, the answer comes from the files, never an exception.
TEST(HostileRunRecord, ResumabilityIsDecidedWithoutThrowing) {
  const test::TestDir dir;
  const std::string run_dir = dir.path();
  EXPECT_FALSE(run_can_resume(run_dir));  // no checkpoint, no config
  test::write_file(training_checkpoint_path(run_dir), "x");
  test::write_file(run_config_path(run_dir), "{}");
  EXPECT_TRUE(run_can_resume(run_dir));  // killed before run.json was written
  const auto with_record = [&](const std::string& json) {
    test::write_file(dir.path("run.json"), json);
    return run_can_resume(run_dir);
  };
  EXPECT_FALSE(with_record(R"({"status": "finished"})"));
  EXPECT_FALSE(with_record(R"({"status": "diverged"})"));
  EXPECT_TRUE(with_record(R"({"status": "cancelled"})"));
  EXPECT_TRUE(with_record(R"({"status": 5})"));
  EXPECT_TRUE(with_record(R"(["status", "finished"])"));
  EXPECT_TRUE(with_record("{\"status\": " + nested_arrays(100000) + "}"));
  EXPECT_TRUE(with_record(R"({"status": "fini)"));
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileFiles, ::testing::ValuesIn(hostile_files()),
                         [](const ::testing::TestParamInfo<HostileFile>& info) { return info.param.name; });

}  // namespace
}  // namespace tl
