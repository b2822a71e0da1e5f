#include "analysis/analysis_files.h"

#include "util/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string number(double v) {
  std::ostringstream s;
  s << std::setprecision(8) << v;
  return s.str();
}

std::string optional_number(const std::optional<double>& v) { return v ? number(*v) : ""; }

// Nine significant digits give a float back exactly when read.
std::string coordinate(float v) {
  std::ostringstream s;
  s << std::setprecision(9) << v;
  return s.str();
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json matrix_json(const std::vector<int64_t>& cells, int64_t classes) {
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t r = 0; r < classes; ++r) {
    rows.push_back(std::vector<int64_t>(cells.begin() + r * classes, cells.begin() + (r + 1) * classes));
  }
  return rows;
}

nlohmann::json confusion_json(const ModelConfusion& m) {
  return {{"model", m.model},
          {"accuracy", m.matrix.accuracy()},
          {"recorded_accuracy", optional_json(m.recorded_accuracy)},
          {"correct", m.matrix.correct()},
          {"confusion", matrix_json(m.matrix.counts, m.matrix.classes())}};
}

nlohmann::json per_class_json(const PerClassGap& g) {
  const auto mean = [](const std::optional<MeanStd>& s) { return s ? nlohmann::json(s->mean) : nlohmann::json(nullptr); };
  const auto spread = [](const std::optional<MeanStd>& s) { return s ? nlohmann::json(s->std) : nlohmann::json(nullptr); };
  return {{"class", g.class_name},
          {"transfer_accuracy", g.transfer_accuracy},
          {"twin_accuracy", optional_json(g.twin_accuracy)},
          {"gap_points", optional_json(g.gap_points)},
          {"seeds", g.seeds},
          {"transfer_mean", mean(g.transfer_over_seeds)},
          {"transfer_std", spread(g.transfer_over_seeds)},
          {"twin_mean", mean(g.twin_over_seeds)},
          {"twin_std", spread(g.twin_over_seeds)},
          {"gap_points_mean", mean(g.gap_points_over_seeds)},
          {"gap_points_std", spread(g.gap_points_over_seeds)}};
}

nlohmann::json feature_map_json(const ModelFeatureMap& m) {
  const FeatureMap& f = m.map;
  return {{"model", m.model},
          {"layer", f.layer},
          {"features", f.features},
          {"source_images", f.count(Domain::Source)},
          {"target_images", f.count(Domain::Target)},
          {"mmd2", optional_json(f.mmd2)},
          {"proxy_a_distance", optional_json(f.proxy_a_distance)},
          {"pca_explained_variance", f.pca_explained_variance},
          {"tsne", f.has_tsne},
          {"tsne_kl_divergence", f.has_tsne ? nlohmann::json(f.tsne_kl_divergence) : nlohmann::json(nullptr)},
          {"source_classes", f.source_classes},
          {"target_classes", f.target_classes}};
}

std::string confusion_csv(const ConfusionMatrix& m) {
  std::ostringstream s;
  s << "true\\predicted";
  for (const auto& name : m.class_names) s << ',' << csv_field(name);
  s << '\n';
  for (int64_t r = 0; r < m.classes(); ++r) {
    s << csv_field(m.class_names[r]);
    for (int64_t c = 0; c < m.classes(); ++c) s << ',' << m.count(r, c);
    s << '\n';
  }
  return s.str();
}

std::string predictions_csv(const RunAnalysis& a) {
  const ConfusionMatrix& m = a.transfer.matrix;
  std::ostringstream s;
  s << "index,true_class,predicted_class,probability,loss";
  if (a.twin) s << ",twin_predicted_class,twin_probability,twin_loss";
  s << '\n';
  for (size_t i = 0; i < m.predictions.size(); ++i) {
    const ImagePrediction& p = m.predictions[i];
    s << p.index << ',' << csv_field(m.class_names[p.true_class]) << ',' << csv_field(m.class_names[p.predicted]) << ','
      << number(p.probability) << ',' << number(p.loss);
    if (a.twin) {
      const ImagePrediction& t = a.twin->matrix.predictions.at(i);
      s << ',' << csv_field(m.class_names[t.predicted]) << ',' << number(t.probability) << ',' << number(t.loss);
    }
    s << '\n';
  }
  return s.str();
}

std::string per_class_csv(const RunAnalysis& a) {
  // A run without a twin gets no twin columns at all.
  const bool twin = std::any_of(a.per_class.begin(), a.per_class.end(), [](const PerClassGap& g) {
    return g.twin_accuracy || g.twin_over_seeds;
  });
  std::ostringstream s;
  s << "class,transfer_accuracy" << (twin ? ",twin_accuracy,gap_points" : "") << ",seeds,transfer_mean,transfer_std"
    << (twin ? ",twin_mean,twin_std,gap_points_mean,gap_points_std" : "") << '\n';
  const auto stats = [](const std::optional<MeanStd>& v) {
    return v ? number(v->mean) + "," + number(v->std) : std::string(",");
  };
  for (const auto& g : a.per_class) {
    s << csv_field(g.class_name) << ',' << number(g.transfer_accuracy);
    if (twin) s << ',' << optional_number(g.twin_accuracy) << ',' << optional_number(g.gap_points);
    s << ',' << g.seeds << ',' << stats(g.transfer_over_seeds);
    if (twin) s << ',' << stats(g.twin_over_seeds) << ',' << stats(g.gap_points_over_seeds);
    s << '\n';
  }
  return s.str();
}

std::string top_losses_csv(const RunAnalysis& a) {
  const auto& names = a.transfer.matrix.class_names;
  std::ostringstream s;
  s << "rank,index,true_class,predicted_class,probability,loss\n";
  for (size_t r = 0; r < a.top_losses.size(); ++r) {
    const ImagePrediction& p = a.top_losses[r];
    s << r + 1 << ',' << p.index << ',' << csv_field(names[p.true_class]) << ',' << csv_field(names[p.predicted])
      << ',' << number(p.probability) << ',' << number(p.loss) << '\n';
  }
  return s.str();
}

std::string most_confused_csv(const RunAnalysis& a) {
  const auto& names = a.transfer.matrix.class_names;
  std::ostringstream s;
  s << "true_class,predicted_class,count" << (a.twin ? ",twin_count" : "") << '\n';
  for (const auto& p : a.most_confused) {
    s << csv_field(names[p.true_class]) << ',' << csv_field(names[p.predicted]) << ',' << p.count;
    if (a.twin) s << ',' << a.twin->matrix.count(p.true_class, p.predicted);
    s << '\n';
  }
  return s.str();
}

std::string class_of(const FeatureMap& f, const FeatureMapPoint& p) {
  const auto& names = p.domain == Domain::Source ? f.source_classes : f.target_classes;
  return p.label >= 0 && p.label < static_cast<int64_t>(names.size()) ? names[p.label] : std::to_string(p.label);
}

std::string embedding_csv(const RunAnalysis& a) {
  std::ostringstream s;
  s << "x,y,method,model,domain,class,correct,index\n";
  for (const auto& m : a.feature_maps) {
    for (const char* method : {"pca", "tsne"}) {
      const bool tsne = std::string(method) == "tsne";
      if (tsne && !m.map.has_tsne) continue;
      for (const auto& p : m.map.points) {
        s << coordinate(tsne ? p.tsne_x : p.pca_x) << ',' << coordinate(tsne ? p.tsne_y : p.pca_y) << ',' << method << ','
          << m.model << ',' << domain_name(p.domain) << ',' << csv_field(class_of(m.map, p)) << ','
          << (p.correct < 0 ? "" : std::to_string(p.correct)) << ',' << p.index << '\n';
      }
    }
  }
  return s.str();
}

}  // namespace

std::string analysis_dir(const std::string& run_dir) { return (fs::path(run_dir) / "analysis").string(); }

nlohmann::json analysis_json(const RunAnalysis& a) {
  const ConfusionMatrix& m = a.transfer.matrix;
  nlohmann::json per_class = nlohmann::json::array();
  for (const auto& g : a.per_class) per_class.push_back(per_class_json(g));
  nlohmann::json confused = nlohmann::json::array();
  for (const auto& p : a.most_confused) {
    confused.push_back({{"true", p.true_class},
                        {"predicted", p.predicted},
                        {"true_class", m.class_names[p.true_class]},
                        {"predicted_class", m.class_names[p.predicted]},
                        {"count", p.count}});
  }
  nlohmann::json losses = nlohmann::json::array();
  for (const auto& p : a.top_losses) {
    losses.push_back({{"index", p.index},
                      {"true", p.true_class},
                      {"predicted", p.predicted},
                      {"true_class", m.class_names[p.true_class]},
                      {"predicted_class", m.class_names[p.predicted]},
                      {"probability", p.probability},
                      {"loss", p.loss}});
  }
  nlohmann::json maps = nlohmann::json::array();
  for (const auto& f : a.feature_maps) maps.push_back(feature_map_json(f));
  return {{"version", kAnalysisVersion},
          {"run_dir", a.run_dir},
          {"name", a.name},
          {"architecture", a.architecture},
          {"class_names", m.class_names},
          {"test_images", m.total()},
          {"transfer", confusion_json(a.transfer)},
          {"twin", a.twin ? confusion_json(*a.twin) : nlohmann::json(nullptr)},
          {"twin_name", a.twin_name},
          {"difference", a.difference.empty() ? nlohmann::json(nullptr) : matrix_json(a.difference, m.classes())},
          {"per_class", per_class},
          {"most_confused", confused},
          {"top_losses", losses},
          {"grad_cam_layer", a.grad_cam_layer},
          {"feature_maps", maps},
          {"notes", a.notes},
          {"files", a.files},
          {"options",
           {{"layer", a.options.layer},
            {"samples_per_domain", a.options.samples_per_domain},
            {"top_losses", a.options.top_losses},
            {"seed", a.options.seed},
            {"threads", a.options.threads},
            {"tsne_iterations", a.options.tsne_iterations}}},
          {"seconds", a.seconds}};
}

std::vector<std::string> write_analysis(const RunAnalysis& a, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the analysis folder (" + ec.message() + ")");
  std::vector<std::pair<std::string, std::string>> files{
      {"confusion.csv", confusion_csv(a.transfer.matrix)}};
  if (a.twin) files.emplace_back("twin_confusion.csv", confusion_csv(a.twin->matrix));
  files.emplace_back("predictions.csv", predictions_csv(a));
  files.emplace_back("per_class.csv", per_class_csv(a));
  files.emplace_back("top_losses.csv", top_losses_csv(a));
  files.emplace_back("most_confused.csv", most_confused_csv(a));
  files.emplace_back("embedding.csv", embedding_csv(a));
  std::vector<std::string> names;
  for (const auto& [name, text] : files) {
    write_file_atomically((fs::path(dir) / name).string(), text);
    names.push_back(name);
  }
  if (!a.twin) fs::remove(fs::path(dir) / "twin_confusion.csv", ec);
  names.push_back("analysis.json");
  nlohmann::json summary = analysis_json(a);
  summary["files"] = names;
  write_file_atomically((fs::path(dir) / "analysis.json").string(), summary.dump(2) + "\n");
  return names;
}

}  // namespace tl
