#include "analysis/run_analysis.h"

#include "analysis/analysis_files.h"
#include "analysis/analysis_reader.h"
#include "analysis/run_folder.h"
#include "experiment/baseline.h"
#include "experiment/experiment.h"
#include "experiment/model_export.h"
#include "experiment/run_record.h"
#include "experiment/run_resume.h"
#include "util/bounded_json.h"

#include "support/finished_run.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace tl {
namespace {

ExperimentConfig transfer_config() { return test::small_run_config("analysis-test"); }

using test::write_finished_job;

nlohmann::json seed_row(uint64_t seed, const std::vector<double>& transfer, const std::vector<double>& twin) {
  return {{"seed", seed},
          {"transfer", {{"status", "finished"}, {"test_accuracy", 0.5}, {"test_per_class_accuracy", transfer}}},
          {"baseline", {{"status", "finished"}, {"test_accuracy", 0.4}, {"test_per_class_accuracy", twin}}}};
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t line_count(const fs::path& path) {
  const std::string text = read_text(path);
  return static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
}

AnalysisOptions quick() {
  AnalysisOptions o;
  o.samples_per_domain = 40;
  o.tsne_iterations = 250;
  o.top_losses = 5;
  return o;
}

std::string error_of(const std::string& dir) {
  try {
    analyze_run(dir, quick());
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

std::string error_of_reading(const std::string& dir) {
  try {
    read_analysis(dir);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

class RunAnalysis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() / ("tl_run_analysis_" + std::to_string(::getpid())));
    fs::remove_all(*root_);
    const ExperimentConfig config = transfer_config();
    const PreparedExperiment transfer = prepare_experiment(config);
    const PreparedExperiment twin = prepare_twin(transfer);
    const std::string full = (*root_ / "full").string();
    write_run_config(config, full);
    const nlohmann::json sections = {{"per_seed", {seed_row(1, {0.5, 0.6, 0.7, 0.8, 0.9}, {0.4, 0.4, 0.4, 0.4, 0.4}),
                                                   seed_row(2, {0.7, 0.6, 0.5, 0.8, 0.9}, {0.4, 0.6, 0.4, 0.4, 0.4})}}};
    transfer_record_ = new RunRecord(write_finished_job(transfer, full, sections));
    twin_record_ = new RunRecord(write_finished_job(twin, (fs::path(full) / "twin").string()));

    copy_run("full", "twin-without-model");
    fs::remove(*root_ / "twin-without-model" / "twin" / "model.safetensors");
    // A single run: no twin, no per_seed rows.
    write_run_config(config, dir("no-twin"));
    write_finished_job(transfer, dir("no-twin"));
    copy_run("no-twin", "older-version");
    fs::remove(*root_ / "older-version" / "config.json");
    copy_run("no-twin", "no-model");
    fs::remove(*root_ / "no-model" / "model.safetensors");
    fs::remove(*root_ / "no-model" / "model.json");
    fs::create_directories(*root_ / "not-a-run");

    ExperimentConfig scratch = config;
    scratch.model.pretrained.clear();
    scratch.model.architecture = "small_cnn";
    write_run_config(scratch, (*root_ / "scratch").string());
    write_finished_job(prepare_experiment(scratch), (*root_ / "scratch").string());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete transfer_record_;
    delete twin_record_;
  }
  static void copy_run(const std::string& from, const std::string& to) {
    fs::copy(*root_ / from, *root_ / to, fs::copy_options::recursive);
    fs::remove_all(*root_ / to / "analysis");
  }
  static std::string dir(const std::string& name) { return (*root_ / name).string(); }

  static fs::path* root_;
  static RunRecord* transfer_record_;
  static RunRecord* twin_record_;
};
fs::path* RunAnalysis::root_ = nullptr;
RunRecord* RunAnalysis::transfer_record_ = nullptr;
RunRecord* RunAnalysis::twin_record_ = nullptr;

TEST_F(RunAnalysis, AComparisonGetsBothMatricesTheirDifferenceAndTheGapsOverSeeds) {
  const tl::RunAnalysis a = analyze_run(dir("full"), quick());
  EXPECT_TRUE(a.notes.empty()) << a.notes.front();
  EXPECT_EQ(a.transfer.matrix.total(), 60);
  // The rebuilt test split is the run's: the same accuracy to the last digit.
  EXPECT_EQ(a.transfer.matrix.accuracy(), transfer_record_->test_accuracy);
  EXPECT_EQ(a.transfer.recorded_accuracy, transfer_record_->test_accuracy);
  ASSERT_TRUE(a.twin.has_value());
  EXPECT_EQ(a.twin_name, "scratch twin");
  EXPECT_EQ(a.twin->matrix.accuracy(), twin_record_->test_accuracy);
  ASSERT_EQ(a.difference.size(), 25u);
  for (size_t i = 0; i < 25; ++i) EXPECT_EQ(a.difference[i], a.transfer.matrix.counts[i] - a.twin->matrix.counts[i]);

  ASSERT_EQ(a.per_class.size(), 5u);
  EXPECT_EQ(a.per_class[0].class_name, "Sandal");
  for (size_t c = 0; c < 5; ++c) {
    EXPECT_DOUBLE_EQ(*a.per_class[c].gap_points,
                     100 * (transfer_record_->test_per_class_accuracy[c] - twin_record_->test_per_class_accuracy[c]));
  }
  EXPECT_EQ(a.per_class[0].seeds, 2);
  EXPECT_NEAR(a.per_class[0].transfer_over_seeds->mean, 0.6, 1e-12);
  EXPECT_NEAR(a.per_class[1].gap_points_over_seeds->mean, 10.0, 1e-9);  // gaps 20 and 0
  EXPECT_NEAR(a.per_class[1].gap_points_over_seeds->std, std::sqrt(200.0), 1e-9);

  ASSERT_EQ(a.feature_maps.size(), 2u);
  EXPECT_EQ(a.feature_maps[0].model, "pretrained");
  EXPECT_EQ(a.feature_maps[1].model, "trained");
  for (const auto& m : a.feature_maps) {
    EXPECT_EQ(m.map.layer, "features.2");
    EXPECT_EQ(m.map.count(Domain::Source), 40);
    EXPECT_EQ(m.map.count(Domain::Target), 40);
    EXPECT_TRUE(m.map.mmd2 && m.map.proxy_a_distance);
  }
  EXPECT_EQ(a.grad_cam_layer, "features.2.3");
  EXPECT_EQ(a.top_losses.size(), 5u);
  // The trained model's marks are its predictions in the confusion matrix.
  for (const auto& p : a.feature_maps[1].map.points) {
    if (p.domain != Domain::Target) continue;
    const ImagePrediction& seen = a.transfer.matrix.predictions.at(p.index);
    EXPECT_EQ(p.correct, seen.predicted == seen.true_class ? 1 : 0);
    EXPECT_EQ(p.label, seen.true_class);
  }
  for (const auto& p : a.feature_maps[0].map.points) EXPECT_EQ(p.correct, -1);
}

TEST_F(RunAnalysis, WritesEveryFileAndASummaryTheGuiCanLoad) {
  const tl::RunAnalysis a = analyze_run(dir("full"), quick());
  const fs::path out = analysis_dir(dir("full"));
  EXPECT_EQ(a.files, (std::vector<std::string>{"confusion.csv", "twin_confusion.csv", "predictions.csv",
                                               "per_class.csv", "top_losses.csv", "most_confused.csv",
                                               "embedding.csv", "analysis.json"}));
  for (const auto& f : a.files) EXPECT_TRUE(fs::exists(out / f)) << f;
  const std::string confusion = read_text(out / "confusion.csv");
  EXPECT_EQ(confusion.substr(0, confusion.find('\n')), "true\\predicted,Sandal,Shirt,Sneaker,Bag,Ankle boot");
  EXPECT_EQ(line_count(out / "confusion.csv"), 6);
  EXPECT_EQ(line_count(out / "predictions.csv"), 61);
  EXPECT_EQ(line_count(out / "top_losses.csv"), 6);
  // Two models × two projections × 80 images.
  EXPECT_EQ(line_count(out / "embedding.csv"), 1 + 2 * 2 * 80);
  const std::string embedding = read_text(out / "embedding.csv");
  EXPECT_EQ(embedding.substr(0, embedding.find('\n')), "x,y,method,model,domain,class,correct,index");
  const std::string per_class = read_text(out / "per_class.csv");
  EXPECT_EQ(per_class.substr(0, per_class.find('\n')),
            "class,transfer_accuracy,twin_accuracy,gap_points,seeds,transfer_mean,transfer_std,twin_mean,twin_std,"
            "gap_points_mean,gap_points_std");

  const nlohmann::json j = parse_bounded_json(read_text(out / "analysis.json"));
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["test_images"], 60);
  EXPECT_EQ(j["transfer"]["correct"], a.transfer.matrix.correct());
  EXPECT_EQ(j["twin"]["model"], "scratch twin");
  EXPECT_EQ(j["feature_maps"].size(), 2u);
  EXPECT_EQ(j["files"].size(), 8u);
  EXPECT_EQ(j["grad_cam_layer"], "features.2.3");
}

TEST_F(RunAnalysis, ATwinWithoutItsModelKeepsItsRecordedPerClassAccuracies) {
  const tl::RunAnalysis a = analyze_run(dir("twin-without-model"), quick());
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_EQ(a.notes[0], dir("twin-without-model") +
                            "/twin/model.safetensors not found: the scratch twin's confusion matrix is not computed; "
                            "its per-class accuracies come from twin/run.json");
  EXPECT_FALSE(a.twin.has_value());
  EXPECT_TRUE(a.difference.empty());
  for (size_t c = 0; c < 5; ++c) EXPECT_EQ(*a.per_class[c].twin_accuracy, twin_record_->test_per_class_accuracy[c]);
  EXPECT_FALSE(fs::exists(fs::path(analysis_dir(dir("twin-without-model"))) / "twin_confusion.csv"));
}

TEST_F(RunAnalysis, ARunWithoutATwinSaysSoAndHasNoTwinColumns) {
  const tl::RunAnalysis a = analyze_run(dir("no-twin"), quick());
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_EQ(a.notes[0], "no twin: the run was trained without one (run --twin), so there are no twin columns");
  EXPECT_EQ(a.twin_name, "");
  const std::string per_class = read_text(fs::path(analysis_dir(dir("no-twin"))) / "per_class.csv");
  EXPECT_EQ(per_class.substr(0, per_class.find('\n')), "class,transfer_accuracy,seeds,transfer_mean,transfer_std");
}

TEST_F(RunAnalysis, AFolderOfAnOlderVersionReadsItsConfigFromRunJson) {
  const tl::RunAnalysis a = analyze_run(dir("older-version"), quick());
  ASSERT_FALSE(a.notes.empty());
  EXPECT_EQ(a.notes[0], "config.json not found (a run from an older version): the config was read from run.json");
  EXPECT_EQ(a.transfer.matrix.accuracy(), transfer_record_->test_accuracy);
}

TEST_F(RunAnalysis, AFolderWithoutAModelNamesTheMissingFile) {
  EXPECT_EQ(error_of(dir("no-model")),
            dir("no-model") +
                "/model.safetensors: not found; the analysis needs the trained model that a finished run leaves beside "
                "run.json (stopped or failed runs, progressive networks and runs of versions before model export have "
                "none)");
  EXPECT_EQ(error_of(dir("not-a-run")), dir("not-a-run") + ": not a run folder (it has neither config.json nor run.json)");
  EXPECT_EQ(error_of(dir("nowhere")), dir("nowhere") + ": no such run folder");
}

TEST_F(RunAnalysis, ARunFromScratchShowsTheTargetAlone) {
  const tl::RunAnalysis a = analyze_run(dir("scratch"), quick());
  ASSERT_EQ(a.feature_maps.size(), 1u);
  EXPECT_EQ(a.feature_maps[0].model, "trained");
  EXPECT_EQ(a.feature_maps[0].map.count(Domain::Source), 0);
  EXPECT_FALSE(a.feature_maps[0].map.mmd2.has_value());
  EXPECT_NE(std::find(a.notes.begin(), a.notes.end(),
                      "the run trained from scratch: no pretrained model and no source task, so the feature map shows "
                      "the target's images alone and has no similarity numbers"),
            a.notes.end());
}

TEST_F(RunAnalysis, ReportsProgressAndACancelWritesNothing) {
  copy_run("no-twin", "cancelled");
  std::vector<double> fractions;
  std::atomic<bool> cancel{false};
  const auto progress = [&](const AnalysisProgress& p) {
    fractions.push_back(p.fraction);
    if (p.step == "feature map (trained model)" && p.fraction > 0.7) cancel = true;
  };
  EXPECT_THROW(analyze_run(dir("cancelled"), quick(), progress, &cancel), AnalysisCancelled);
  EXPECT_FALSE(fs::exists(analysis_dir(dir("cancelled"))));
  ASSERT_FALSE(fractions.empty());
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));

  fractions.clear();
  analyze_run(dir("cancelled"), quick(), [&](const AnalysisProgress& p) { fractions.push_back(p.fraction); });
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
}

TEST_F(RunAnalysis, ReadingItBackGivesTheSameAnalysisWithoutRecomputing) {
  copy_run("full", "read-back");
  const tl::RunAnalysis a = analyze_run(dir("read-back"), quick());
  const tl::RunAnalysis b = read_analysis(dir("read-back"));
  EXPECT_EQ(b.name, a.name);
  EXPECT_EQ(b.transfer.matrix.counts, a.transfer.matrix.counts);
  EXPECT_EQ(b.transfer.recorded_accuracy, a.transfer.recorded_accuracy);
  ASSERT_TRUE(b.twin.has_value());
  EXPECT_EQ(b.twin->matrix.counts, a.twin->matrix.counts);
  EXPECT_EQ(b.difference, a.difference);
  ASSERT_EQ(b.transfer.matrix.predictions.size(), a.transfer.matrix.predictions.size());
  for (size_t i = 0; i < a.transfer.matrix.predictions.size(); ++i) {
    const ImagePrediction& x = a.transfer.matrix.predictions[i];
    const ImagePrediction& y = b.transfer.matrix.predictions[i];
    EXPECT_EQ(y.index, x.index);
    EXPECT_EQ(y.predicted, x.predicted);
    EXPECT_NEAR(y.probability, x.probability, 1e-7);
    EXPECT_NEAR(y.loss, x.loss, 1e-6 * std::max(1.0, x.loss));
    EXPECT_EQ(b.twin->matrix.predictions[i].predicted, a.twin->matrix.predictions[i].predicted);
  }
  ASSERT_EQ(b.per_class.size(), a.per_class.size());
  EXPECT_EQ(b.per_class[1].seeds, 2);
  EXPECT_NEAR(*b.per_class[1].gap_points, *a.per_class[1].gap_points, 1e-6);
  EXPECT_NEAR(b.per_class[1].gap_points_over_seeds->std, a.per_class[1].gap_points_over_seeds->std, 1e-6);
  EXPECT_EQ(b.most_confused.size(), a.most_confused.size());
  ASSERT_EQ(b.top_losses.size(), a.top_losses.size());
  EXPECT_EQ(b.top_losses[0].index, a.top_losses[0].index);
  ASSERT_EQ(b.feature_maps.size(), 2u);
  for (size_t m = 0; m < 2; ++m) {
    const FeatureMap& x = a.feature_maps[m].map;
    const FeatureMap& y = b.feature_maps[m].map;
    EXPECT_EQ(y.layer, x.layer);
    EXPECT_EQ(y.mmd2, x.mmd2);
    ASSERT_EQ(y.points.size(), x.points.size());
    for (size_t i = 0; i < x.points.size(); ++i) {
      EXPECT_EQ(y.points[i].domain, x.points[i].domain);
      EXPECT_EQ(y.points[i].index, x.points[i].index);
      EXPECT_EQ(y.points[i].label, x.points[i].label);
      EXPECT_EQ(y.points[i].correct, x.points[i].correct);
      EXPECT_EQ(y.points[i].pca_x, x.points[i].pca_x);
      EXPECT_EQ(y.points[i].tsne_y, x.points[i].tsne_y);
    }
  }
  EXPECT_EQ(b.notes, a.notes);
  EXPECT_EQ(b.files, a.files);
  EXPECT_EQ(b.options.samples_per_domain, 40);

  // A predictions file of another analysis is refused, not shown.
  const fs::path predictions = fs::path(analysis_dir(dir("read-back"))) / "predictions.csv";
  std::string text = read_text(predictions);
  text.erase(text.rfind('\n', text.size() - 2) + 1);
  std::ofstream(predictions) << text;
  try {
    read_analysis(dir("read-back"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), predictions.string() +
                                         ": its transfer predictions do not add up to analysis.json's confusion "
                                         "matrix (files of two analyses?); analyse the run again");
  }
  EXPECT_EQ(error_of_reading(dir("no-twin-never-analysed")),
            analysis_dir(dir("no-twin-never-analysed")) +
                "/analysis.json: cannot be read; run `transferlab-cli analyze` on the run to compute its analysis");
}

TEST_F(RunAnalysis, TheTestImagesAreRebuiltExactlyAsTheRunBuiltThem) {
  const RunFolder folder = load_run_folder(dir("full"));
  const Dataset rebuilt = normalised_for(run_test_pixels(folder), folder.model);
  const PreparedExperiment again = prepare_experiment(transfer_config());
  EXPECT_TRUE(rebuilt.images.equal(again.data.test.images));
  EXPECT_TRUE(rebuilt.labels.equal(again.data.test.labels));
}

}  // namespace
}  // namespace tl
