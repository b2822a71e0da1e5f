#include "experiment/comparison_record.h"

#include "support/test_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace tl {
namespace {

RunRecord finished_record(double test_accuracy) {
  RunRecord r;
  r.config = {{"name", "record test"}};
  r.test_accuracy = test_accuracy;
  r.test_per_class_accuracy = {test_accuracy, test_accuracy};
  return r;
}

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(test::read_file(path)); }

TEST(WriteComparison, RunJsonIsTheFirstTransferRunWithTheSectionsAndTheTwinGoesToTwin) {
  Comparison c;
  c.runs.push_back({1, finished_record(0.8), finished_record(0.7)});
  c.runs.push_back({2, finished_record(0.9), finished_record(0.6)});
  c.verdict = judge_transfer({{1, 0.8, 0.7, {0.8, 0.8}, {0.7, 0.7}}, {2, 0.9, 0.6, {0.9, 0.9}, {0.6, 0.6}}});
  const test::TestDir scratch;
  const fs::path dir = scratch.path("two_seeds");

  EXPECT_TRUE(write_comparison(c, dir.string()));

  const nlohmann::json run = read_json(dir / "run.json");
  EXPECT_DOUBLE_EQ(run["final"]["test_accuracy"].get<double>(), 0.8);  // the first seed's transfer run
  EXPECT_EQ(run["verdict"]["seeds"], 2);
  EXPECT_EQ(run["verdict"]["label"], verdict_label_name(c.verdict->label));
  EXPECT_DOUBLE_EQ(run["baseline"]["test_accuracy"]["mean"].get<double>(), 0.65);
  EXPECT_EQ(run["per_seed"].size(), 2u);
  EXPECT_DOUBLE_EQ(read_json(dir / "twin" / "run.json")["final"]["test_accuracy"].get<double>(), 0.7);
}

TEST(WriteComparison, WithoutTwinsThereIsNoTwinFolder) {
  Comparison c;
  c.runs.push_back({1, finished_record(0.8), std::nullopt});
  const test::TestDir scratch;
  const fs::path dir = scratch.path("no_twin");
  EXPECT_FALSE(write_comparison(c, dir.string()));
  EXPECT_TRUE(fs::exists(dir / "run.json"));
  EXPECT_FALSE(fs::exists(dir / "twin"));
  EXPECT_FALSE(read_json(dir / "run.json").contains("verdict"));
}

TEST(WriteComparison, EmptyComparisonIsRefused) {
  const test::TestDir scratch;
  EXPECT_THROW(write_comparison(Comparison{}, scratch.path("empty")), std::invalid_argument);
}

}  // namespace
}  // namespace tl
