#include "models/model_zoo.h"
#include "models/resnet.h"
#include "weights/checkpoint.h"
#include "support/test_dir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>

namespace tl {
namespace {

using CheckpointTest = test::TestWithDir;
using test::read_file;

CheckpointMetadata full_metadata() {
  CheckpointMetadata m;
  m.architecture = "resnet_narrow";
  m.input = InputShape{1, 28, 28};
  m.source_task = "Fashion-MNIST classes 0-4";
  m.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"};
  m.training_images = 30000;
  m.source_accuracy = 0.9123456789;
  m.seed = 18446744073709551615ull;
  m.created = "2024-05-01T12:34:56Z";
  m.license = "CC0 \"quoted\" ü";
  m.normalization_mean = {0.2860};
  m.normalization_std = {0.3530};
  m.extra = {{"recipe", {{"epochs", 3}, {"lr", 0.01}}}};
  return m;
}

Checkpoint checkpoint_of(const TransferModel& model, CheckpointMetadata metadata) {
  return Checkpoint{std::move(metadata), state_dict(*model)};
}

void expect_same_tensors(const std::map<std::string, torch::Tensor>& a,
                         const std::map<std::string, torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    ASSERT_EQ(b.count(name), 1u) << name;
    const auto& u = b.at(name);
    EXPECT_EQ(t.scalar_type(), u.scalar_type()) << name;
    EXPECT_EQ(t.sizes(), u.sizes()) << name;
    ASSERT_EQ(t.numel() * t.element_size(), u.numel() * u.element_size()) << name;
    EXPECT_EQ(std::memcmp(t.data_ptr(), u.contiguous().data_ptr(), t.numel() * t.element_size()), 0) << name;
  }
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST_F(CheckpointTest, StateDictHoldsParametersAndBuffersAsCopies) {
  TransferModel model = make_model("small_cnn", 10);
  auto tensors = state_dict(*model);
  EXPECT_EQ(tensors.size(), 3u * 6 + 2);
  EXPECT_EQ(tensors.at("features.0.1.num_batches_tracked").scalar_type(), torch::kInt64);
  EXPECT_FALSE(tensors.at("classifier.weight").requires_grad());
  tensors.at("classifier.bias").fill_(7);
  EXPECT_FALSE(torch::equal(model->named_parameters()["classifier.bias"], tensors.at("classifier.bias")));
}

TEST_F(CheckpointTest, RoundTripIsBitExactIncludingMetadata) {
  TransferModel model = make_model("resnet_narrow", 5);
  model->forward(torch::randn({4, 1, 28, 28}));  // moves running statistics and num_batches_tracked
  const Checkpoint saved = checkpoint_of(model, full_metadata());
  save_checkpoint(saved, path("a.safetensors"));
  const Checkpoint loaded = load_checkpoint(path("a.safetensors"));
  EXPECT_EQ(loaded.metadata.to_json(), saved.metadata.to_json());
  EXPECT_EQ(loaded.metadata.seed, 18446744073709551615ull);
  EXPECT_EQ(loaded.metadata.source_accuracy, 0.9123456789);
  EXPECT_EQ(loaded.metadata.class_names, saved.metadata.class_names);
  expect_same_tensors(saved.tensors, loaded.tensors);
  EXPECT_EQ(loaded.tensors.at("bn1.num_batches_tracked").item<int64_t>(), 1);
}

TEST_F(CheckpointTest, RoundTripKeepsEveryDtype) {
  Checkpoint c;
  c.metadata.architecture = "small_cnn";
  c.tensors["f64"] = torch::randn({3, 2}, torch::kFloat64);
  c.tensors["f32"] = torch::randn({5});
  c.tensors["f16"] = torch::randn({4}).to(torch::kFloat16);
  c.tensors["bf16"] = torch::randn({2, 2}).to(torch::kBFloat16);
  c.tensors["i64"] = torch::tensor({int64_t{-1}, int64_t{1} << 40}, torch::kInt64);
  c.tensors["i32"] = torch::tensor({-7, 8}, torch::kInt32);
  c.tensors["u8"] = torch::tensor({0, 255}, torch::kUInt8);
  c.tensors["bool"] = torch::tensor({true, false});
  c.tensors["scalar"] = torch::tensor(3.5);
  c.tensors["empty"] = torch::zeros({0, 3});
  c.tensors["transposed"] = torch::arange(6, torch::kFloat32).reshape({2, 3}).t();
  save_checkpoint(c, path("d.safetensors"));
  const Checkpoint loaded = load_checkpoint(path("d.safetensors"));
  auto expected = c.tensors;
  expected["transposed"] = expected["transposed"].contiguous();
  expect_same_tensors(expected, loaded.tensors);
}

TEST_F(CheckpointTest, FileHasTheSafetensorsLayout) {
  Checkpoint c;
  c.metadata.architecture = "small_cnn";
  c.tensors["b"] = torch::tensor({1.0f, 2.0f});
  c.tensors["a"] = torch::tensor({int64_t{7}}, torch::kInt64);
  save_checkpoint(c, path("l.safetensors"));
  const std::string bytes = read_file(path("l.safetensors"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + n + 8 + 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["a"], (nlohmann::json{{"dtype", "I64"}, {"shape", {1}}, {"data_offsets", {0, 8}}}));
  EXPECT_EQ(header["b"], (nlohmann::json{{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {8, 16}}}));
  const auto metadata = nlohmann::json::parse(header["__metadata__"]["transferlab"].get<std::string>());
  EXPECT_EQ(metadata, c.metadata.to_json());
  const std::string data = bytes.substr(8 + n);
  int64_t a = 0;
  float b[2] = {0, 0};
  std::memcpy(&a, data.data(), 8);
  std::memcpy(b, data.data() + 8, 8);
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], 2.0f);
}

TEST_F(CheckpointTest, ModelFromCheckpointRebuildsTheSameModel) {
  TransferModel model = make_model("small_cnn", 5);
  model->forward(torch::randn({4, 1, 28, 28}));
  CheckpointMetadata m = full_metadata();
  m.architecture = "small_cnn";
  save_checkpoint(checkpoint_of(model, m), path("m.safetensors"));
  TransferModel rebuilt = model_from_checkpoint(load_checkpoint(path("m.safetensors")));
  EXPECT_EQ(rebuilt->architecture(), "small_cnn");
  EXPECT_EQ(rebuilt->num_classes(), 5);
  model->eval();
  rebuilt->eval();
  const auto x = torch::randn({3, 1, 28, 28});
  EXPECT_TRUE(torch::equal(model->forward(x), rebuilt->forward(x)));
}

TEST_F(CheckpointTest, ModelFromCheckpointNeedsClassNames) {
  Checkpoint c{CheckpointMetadata{}, {}};
  c.metadata.architecture = "small_cnn";
  EXPECT_EQ(message_of([&] { model_from_checkpoint(c); }),
            "checkpoint of small_cnn lists no class_names, so the size of its head is unknown");
}

TEST_F(CheckpointTest, LoadIntoMismatchedArchitectureNamesTheFirstMismatchingTensor) {
  const auto tensors = state_dict(*make_model("resnet_narrow", 10));
  ResNetOptions wider;
  wider.widths = {16, 32, 64, 256};
  ResNet model(wider);
  EXPECT_EQ(message_of([&] { load_into(*model, tensors); }),
            "layer4.0.conv1.weight: checkpoint has [128, 64, 3, 3], model expects [256, 64, 3, 3]");
  TransferModel small = make_model("small_cnn", 10);
  EXPECT_EQ(message_of([&] { load_into(*small, tensors); }), "features.0.0.weight: missing from checkpoint");
}

TEST_F(CheckpointTest, LoadIntoNamesAMissingBuffer) {
  auto tensors = state_dict(*make_model("resnet_narrow", 10));
  tensors.erase("layer2.0.downsample.1.running_var");
  TransferModel model = make_model("resnet_narrow", 10);
  EXPECT_EQ(message_of([&] { load_into(*model, tensors); }),
            "layer2.0.downsample.1.running_var: missing from checkpoint");
}

TEST_F(CheckpointTest, FailedLoadLeavesTheModelUntouched) {
  auto tensors = state_dict(*make_model("small_cnn", 10));
  tensors.at("classifier.bias") = torch::zeros({9});
  TransferModel model = make_model("small_cnn", 10);
  const auto before = state_dict(*model);
  EXPECT_THROW(load_into(*model, tensors), std::invalid_argument);
  expect_same_tensors(before, state_dict(*model));
}

TEST_F(CheckpointTest, SkipPrefixLoadsTheBodyIntoAModelWithAnotherHead) {
  const auto tensors = state_dict(*make_model("resnet_narrow", 10));
  TransferModel model = make_model("resnet_narrow", 3);
  EXPECT_EQ(message_of([&] { load_into(*model, tensors); }),
            "fc.weight: checkpoint has [10, 128], model expects [3, 128]");
  const auto head_before = model->named_parameters()["fc.weight"].clone();
  load_into(*model, tensors, "fc");
  const auto after = state_dict(*model);
  for (const auto& [name, t] : after) {
    if (name.rfind("fc.", 0) == 0) continue;
    EXPECT_TRUE(torch::equal(t, tensors.at(name))) << name;
  }
  EXPECT_TRUE(torch::equal(after.at("fc.weight"), head_before));
}

TEST_F(CheckpointTest, LoadIntoKeepsRequiresGradAndAllowsExtraTensors) {
  auto tensors = state_dict(*make_model("small_cnn", 10));
  tensors["unrelated.weight"] = torch::ones({2});
  TransferModel model = make_model("small_cnn", 10);
  model->named_parameters()["features.0.0.weight"].set_requires_grad(false);
  load_into(*model, tensors);
  EXPECT_FALSE(model->named_parameters()["features.0.0.weight"].requires_grad());
  EXPECT_TRUE(model->named_parameters()["classifier.weight"].requires_grad());
  EXPECT_TRUE(torch::equal(model->named_parameters()["classifier.weight"], tensors.at("classifier.weight")));
}

// ---- atomic writes ----------------------------------------------------------

TEST_F(CheckpointTest, UnserialisableTensorLeavesTheOldFileIntact) {
  const std::string file = path("keep.safetensors");
  Checkpoint good{full_metadata(), state_dict(*make_model("small_cnn", 5))};
  save_checkpoint(good, file);
  const std::string before = read_file(file);
  Checkpoint bad = good;
  bad.tensors["z"] = torch::zeros({2}, torch::kComplexFloat);
  EXPECT_EQ(message_of([&] { save_checkpoint(bad, file); }),
            file + ": cannot save checkpoint: tensor 'z' has dtype ComplexFloat, which safetensors cannot store");
  EXPECT_EQ(read_file(file), before);
  EXPECT_EQ(files(), std::vector<std::string>{"keep.safetensors"});
}

TEST_F(CheckpointTest, UndefinedTensorIsRejected) {
  Checkpoint bad{full_metadata(), {{"w", torch::Tensor()}}};
  EXPECT_EQ(message_of([&] { save_checkpoint(bad, path("u.safetensors")); }),
            path("u.safetensors") + ": cannot save checkpoint: tensor 'w' is undefined");
  EXPECT_TRUE(files().empty());
}

TEST_F(CheckpointTest, FailedRenameRemovesTheTemporaryFile) {
  // The target is a non-empty directory: the temporary file is written, the rename fails.
  const std::string target = path("occupied");
  std::filesystem::create_directories(target + "/child");
  const std::string message = message_of([&] { save_checkpoint({full_metadata(), {}}, target); });
  const std::string temp = target + ".tmp-" + std::to_string(::getpid());
  EXPECT_EQ(message.rfind(target + ": cannot save checkpoint: cannot rename " + temp + " to it: ", 0), 0u) << message;
  EXPECT_EQ(files(), std::vector<std::string>{"occupied"});
  EXPECT_TRUE(std::filesystem::is_directory(target + "/child"));
}

TEST_F(CheckpointTest, MissingDirectoryIsNamed) {
  const std::string file = path("no/such/dir/c.safetensors");
  EXPECT_EQ(message_of([&] { save_checkpoint({full_metadata(), {}}, file); }),
            file + ": cannot save checkpoint: cannot create " + file + ".tmp-" + std::to_string(::getpid()) +
                ": No such file or directory");
}

TEST_F(CheckpointTest, UnwritableDirectoryLeavesTheOldFileIntact) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const std::string file = path("keep.safetensors");
  Checkpoint good{full_metadata(), state_dict(*make_model("small_cnn", 5))};
  save_checkpoint(good, file);
  const std::string before = read_file(file);
  std::filesystem::permissions(dir_.root(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  good.tensors.at("classifier.bias").fill_(1);
  EXPECT_EQ(message_of([&] { save_checkpoint(good, file); }).rfind(file + ": cannot save checkpoint: cannot create ", 0),
            0u);
  std::filesystem::permissions(dir_.root(), std::filesystem::perms::owner_all);
  EXPECT_EQ(read_file(file), before);
  EXPECT_EQ(files(), std::vector<std::string>{"keep.safetensors"});
}

TEST_F(CheckpointTest, SavingOverAnExistingFileReplacesIt) {
  const std::string file = path("r.safetensors");
  Checkpoint c{full_metadata(), {{"w", torch::zeros({2})}}};
  save_checkpoint(c, file);
  c.tensors["w"] = torch::ones({3});
  save_checkpoint(c, file);
  EXPECT_TRUE(torch::equal(load_checkpoint(file).tensors.at("w"), torch::ones({3})));
  EXPECT_EQ(files(), std::vector<std::string>{"r.safetensors"});
}

}  // namespace
}  // namespace tl
