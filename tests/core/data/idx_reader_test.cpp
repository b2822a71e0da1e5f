#include "data/idx_reader.h"

#include "data_test_helpers.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tl {
namespace {

using test::error_message;
using Bytes = std::vector<unsigned char>;

/// An IDX header: magic (0, 0, type, ndims) and big-endian dimensions.
Bytes idx_header(const std::vector<uint32_t>& dims, unsigned char type = 0x08) {
  Bytes b = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<unsigned char>(d >> shift));
  }
  return b;
}

Bytes idx_file(const std::vector<uint32_t>& dims, size_t payload_bytes) {
  Bytes b = idx_header(dims);
  for (size_t i = 0; i < payload_bytes; ++i) b.push_back(static_cast<unsigned char>(i * 7 % 256));
  return b;
}

class IdxReader : public test::TestWithDir {
 protected:
  std::string write_plain(const std::string& name, const Bytes& bytes) {
    test::write_file(path(name), std::string(bytes.begin(), bytes.end()));
    return path(name);
  }

  std::string write_gzip(const std::string& name, const Bytes& bytes) {
    const std::string file = path(name);
    gzFile f = gzopen(file.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    gzclose(f);
    return file;
  }
};

Bytes bytes_of(const std::string& file) {
  const std::string bytes = test::read_file(file);
  return Bytes(bytes.begin(), bytes.end());
}

TEST_F(IdxReader, PlainFileGivesShapeAndBytes) {
  const std::string path = write_plain("a.idx", idx_file({2, 3, 4}, 24));
  const torch::Tensor t = read_idx(path);
  EXPECT_EQ(t.scalar_type(), torch::kUInt8);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(t[0][0][1].item<int>(), 7);
  EXPECT_EQ(t[1][2][3].item<int>(), 23 * 7 % 256);
}

TEST_F(IdxReader, GzipFileReadsLikeThePlainOne) {
  const Bytes bytes = idx_file({5, 6}, 30);
  const torch::Tensor plain = read_idx(write_plain("a.idx", bytes));
  const torch::Tensor gz = read_idx(write_gzip("a.idx.gz", bytes));
  EXPECT_TRUE(torch::equal(plain, gz));
}

TEST_F(IdxReader, DimensionsAreBigEndian) {
  const torch::Tensor t = read_idx(write_gzip("l.gz", idx_file({300}, 300)));
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{300}));
}

TEST_F(IdxReader, FourDimensionsAreAccepted) {
  const torch::Tensor t = read_idx(write_plain("c.idx", idx_file({2, 3, 2, 2}, 24)));
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 3, 2, 2}));
}

TEST_F(IdxReader, MissingFileNamesThePath) {
  const std::string path = dir_.path("nope.gz");
  EXPECT_EQ(error_message([&] { read_idx(path); }), path + ": no such file");
}

TEST_F(IdxReader, BadMagicIsRejected) {
  Bytes bytes = idx_file({4}, 4);
  bytes[0] = 0x1f;
  bytes[1] = 0x02;
  const std::string path = write_plain("bad.idx", bytes);
  EXPECT_EQ(error_message([&] { read_idx(path); }),
            path + ": bad magic: expected an IDX file starting with two zero bytes, got 0x1f 0x02");
}

TEST_F(IdxReader, NonByteTypeIsRejected) {
  Bytes bytes = idx_header({4}, 0x0D);
  bytes.resize(bytes.size() + 16);
  const std::string path = write_gzip("float.gz", bytes);
  EXPECT_EQ(error_message([&] { read_idx(path); }),
            path + ": unsupported IDX type 0x0d: only unsigned bytes (0x08) are supported");
}

TEST_F(IdxReader, DimensionCountOutsideOneToFourIsRejected) {
  const std::string zero = write_plain("zero.idx", Bytes{0, 0, 8, 0});
  EXPECT_EQ(error_message([&] { read_idx(zero); }),
            zero + ": unsupported number of dimensions 0: expected 1 to 4");
  const std::string five = write_plain("five.idx", idx_file({1, 1, 1, 1, 1}, 1));
  EXPECT_EQ(error_message([&] { read_idx(five); }),
            five + ": unsupported number of dimensions 5: expected 1 to 4");
}

TEST_F(IdxReader, HugeDeclaredSizeIsRejectedBeforeAllocating) {
  const std::string path = write_plain("huge.idx", idx_file({65536, 65536}, 10));
  EXPECT_EQ(error_message([&] { read_idx(path); }),
            path + ": declared size 65536 x 65536 exceeds the limit of 2147483648 bytes");
  const std::string max = write_gzip("max.gz", idx_file({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, 0));
  EXPECT_EQ(error_message([&] { read_idx(max); }),
            max + ": declared size 4294967295 x 4294967295 x 4294967295 x 4294967295 exceeds the "
                  "limit of 2147483648 bytes");
}

TEST_F(IdxReader, TruncatedFileNamesFileAndSizes) {
  const std::string plain = write_plain("short.idx", idx_file({2, 3, 4}, 10));
  EXPECT_EQ(error_message([&] { read_idx(plain); }),
            plain + ": truncated: expected 24 bytes of data, read 10");
  const std::string gz = write_gzip("short.gz", idx_file({100, 10}, 999));
  EXPECT_EQ(error_message([&] { read_idx(gz); }),
            gz + ": truncated: expected 1000 bytes of data, read 999");
}

TEST_F(IdxReader, TruncatedHeaderNamesHeaderSize) {
  Bytes bytes = idx_header({2, 3, 4});
  bytes.resize(8);
  const std::string path = write_plain("header.idx", bytes);
  EXPECT_EQ(error_message([&] { read_idx(path); }),
            path + ": truncated: expected a header of 12 bytes, read 4");
  const std::string empty = write_plain("empty.idx", Bytes{});
  EXPECT_EQ(error_message([&] { read_idx(empty); }),
            empty + ": truncated: expected a header of 4 bytes, read 0");
}

TEST_F(IdxReader, CutGzipStreamIsReportedAsTruncated) {
  const std::string full = write_gzip("full.gz", idx_file({4000}, 4000));
  Bytes compressed = bytes_of(full);
  compressed.resize(compressed.size() / 2);
  const std::string path = write_plain("cut.gz", compressed);
  const std::string message = error_message([&] { read_idx(path); });
  EXPECT_EQ(message.rfind(path + ": truncated: expected 4000 bytes of data, read ", 0), 0u) << message;
}

TEST_F(IdxReader, CorruptGzipStreamNamesTheFile) {
  const std::string full = write_gzip("full.gz", idx_file({4000}, 4000));
  Bytes compressed = bytes_of(full);
  for (size_t i = 12; i < compressed.size() - 8; ++i) compressed[i] = 0xFF;
  const std::string path = write_plain("corrupt.gz", compressed);
  const std::string message = error_message([&] { read_idx(path); });
  // zlib's own wording of the fault follows; its text may differ between versions.
  EXPECT_EQ(message.rfind(path + ": corrupt gzip data: ", 0), 0u) << message;
  EXPECT_GT(message.size(), path.size() + 21) << message;
}

TEST_F(IdxReader, DirectoryIsNotAnIdxFile) {
  const std::string path = dir_.path();
  EXPECT_EQ(error_message([&] { read_idx(path); }), path + ": is a directory, expected an IDX file");
}

// ---- load_fashion_mnist on small files written here -------------------------

TEST_F(IdxReader, FashionMnistLoaderConvertsToFloatImages) {
  Bytes images = idx_header({3, 28, 28});
  for (int i = 0; i < 3 * 28 * 28; ++i) images.push_back(i % 2 ? 255 : 0);
  write_gzip("t10k-images-idx3-ubyte.gz", images);
  write_gzip("t10k-labels-idx1-ubyte.gz", Bytes{0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4});
  const Dataset d = load_fashion_mnist(path(), DataSplit::Test);
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_EQ(d.images.scalar_type(), torch::kFloat);
  EXPECT_FLOAT_EQ(d.images.max().item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(d.images.min().item<float>(), 0.0f);
  EXPECT_EQ(test::to_vector(d.labels), (std::vector<int64_t>{9, 0, 4}));
  EXPECT_EQ(d.class_names, fashion_mnist_class_names());
}

TEST_F(IdxReader, FashionMnistLoaderNamesTheMissingFile) {
  const std::string path = dir_.path("train-images-idx3-ubyte.gz");
  EXPECT_EQ(error_message([&] { load_fashion_mnist(dir_.path(), DataSplit::Train); }),
            path + ": no such file (Fashion-MNIST is installed by the Debian package dataset-fashion-mnist)");
}

TEST_F(IdxReader, FashionMnistLoaderRejectsCountMismatch) {
  const std::string images = write_gzip("t10k-images-idx3-ubyte.gz", idx_file({3, 2, 2}, 12));
  const std::string labels = write_gzip("t10k-labels-idx1-ubyte.gz", idx_file({2}, 0));
  write_gzip("t10k-labels-idx1-ubyte.gz", Bytes{0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
  EXPECT_EQ(error_message([&] { load_fashion_mnist(path(), DataSplit::Test); }),
            images + ": holds 3 images but " + labels + " holds 2 labels");
}

TEST_F(IdxReader, FashionMnistLoaderRejectsLabelsOutOfRange) {
  write_gzip("t10k-images-idx3-ubyte.gz", idx_file({2, 2, 2}, 8));
  const std::string labels = write_gzip("t10k-labels-idx1-ubyte.gz", Bytes{0, 0, 8, 1, 0, 0, 0, 2, 1, 10});
  EXPECT_EQ(error_message([&] { load_fashion_mnist(path(), DataSplit::Test); }),
            labels + ": label 10 is out of range: expected 0 to 9");
}

TEST_F(IdxReader, FashionMnistLoaderRejectsImagesWithoutThreeDimensions) {
  const std::string images = write_gzip("t10k-images-idx3-ubyte.gz", idx_file({2, 4}, 8));
  write_gzip("t10k-labels-idx1-ubyte.gz", Bytes{0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
  EXPECT_EQ(error_message([&] { load_fashion_mnist(path(), DataSplit::Test); }),
            images + ": expected images with 3 dimensions [N, H, W], got 2");
}

TEST(FashionMnistNames, TenClassesInLabelOrder) {
  const auto& names = fashion_mnist_class_names();
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names.front(), "T-shirt/top");
  EXPECT_EQ(names[6], "Shirt");
  EXPECT_EQ(names.back(), "Ankle boot");
  EXPECT_EQ(default_fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
}

}  // namespace
}  // namespace tl
