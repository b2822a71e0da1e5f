#include "analysis/analysis_reader.h"

#include "analysis/analysis_files.h"
#include "util/bounded_json.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path + ": cannot be read; run `transferlab-cli analyze` on the run to compute its analysis");
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using Row = std::vector<std::string>;

// RFC 4180, as analysis_files.cpp writes it: quoted fields may hold commas,
// doubled quotes and line breaks.
std::vector<Row> parse_csv(const std::string& text, const std::string& path) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted) throw std::runtime_error(path + ": a quoted field is not closed");
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

/// A CSV file's rows by column name.
class Table {
 public:
  explicit Table(const std::string& path) : path_(path), rows_(parse_csv(read_text(path), path)) {
    if (rows_.empty()) throw std::runtime_error(path_ + ": empty; expected a header line");
    for (size_t c = 0; c < rows_[0].size(); ++c) columns_[rows_[0][c]] = c;
    for (size_t r = 1; r < rows_.size(); ++r) {
      if (rows_[r].size() != rows_[0].size()) {
        throw std::runtime_error(path_ + ": line " + std::to_string(r + 1) + " has " + std::to_string(rows_[r].size()) +
                                 " fields, the header " + std::to_string(rows_[0].size()));
      }
    }
  }
  size_t size() const { return rows_.size() - 1; }
  bool has(const std::string& column) const { return columns_.count(column) > 0; }
  const std::string& at(size_t row, const std::string& column) const {
    const auto it = columns_.find(column);
    if (it == columns_.end()) throw std::runtime_error(path_ + ": no column '" + column + "'");
    return rows_[row + 1][it->second];
  }
  double number(size_t row, const std::string& column) const {
    const std::string& text = at(row, column);
    try {
      size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw std::runtime_error(path_ + ": line " + std::to_string(row + 2) + ", " + column + ": expected a number, got '" +
                             text + "'");
  }
  int64_t integer(size_t row, const std::string& column) const {
    const double v = number(row, column);
    return static_cast<int64_t>(v);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<Row> rows_;
  std::map<std::string, size_t> columns_;
};

int64_t class_index(const std::vector<std::string>& names, const std::string& name, const std::string& path) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int64_t>(i);
  }
  throw std::runtime_error(path + ": class '" + name + "' is not among analysis.json's classes");
}

std::optional<double> optional_double(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

std::optional<MeanStd> optional_mean_std(const nlohmann::json& j, const std::string& prefix) {
  const auto mean = optional_double(j, (prefix + "_mean").c_str());
  const auto spread = optional_double(j, (prefix + "_std").c_str());
  if (!mean || !spread) return std::nullopt;
  return MeanStd{*mean, *spread};
}

std::vector<int64_t> flat_counts(const nlohmann::json& rows) {
  std::vector<int64_t> cells;
  for (const auto& row : rows) {
    for (const auto& cell : row) cells.push_back(cell.get<int64_t>());
  }
  return cells;
}

ModelConfusion confusion_from(const nlohmann::json& j, const std::vector<std::string>& names) {
  ModelConfusion m;
  m.model = j.at("model").get<std::string>();
  m.recorded_accuracy = optional_double(j, "recorded_accuracy");
  m.matrix.class_names = names;
  m.matrix.counts = flat_counts(j.at("confusion"));
  if (m.matrix.counts.size() != names.size() * names.size()) {
    throw std::invalid_argument("the " + m.model + " confusion matrix is not " + std::to_string(names.size()) + " x " +
                                std::to_string(names.size()));
  }
  return m;
}

// Fills the matrices' predictions from predictions.csv and checks them against the counts.
void read_predictions(RunAnalysis& a, const std::string& dir) {
  const Table t((fs::path(dir) / "predictions.csv").string());
  const auto& names = a.transfer.matrix.class_names;
  const bool twin = a.twin && t.has("twin_predicted_class");
  for (size_t r = 0; r < t.size(); ++r) {
    ImagePrediction p;
    p.index = t.integer(r, "index");
    p.true_class = class_index(names, t.at(r, "true_class"), t.path());
    p.predicted = class_index(names, t.at(r, "predicted_class"), t.path());
    p.probability = t.number(r, "probability");
    p.loss = t.number(r, "loss");
    a.transfer.matrix.predictions.push_back(p);
    if (!twin) continue;
    p.predicted = class_index(names, t.at(r, "twin_predicted_class"), t.path());
    p.probability = t.number(r, "twin_probability");
    p.loss = t.number(r, "twin_loss");
    a.twin->matrix.predictions.push_back(p);
  }
  for (ModelConfusion* m : {&a.transfer, a.twin ? &*a.twin : nullptr}) {
    if (!m) continue;
    std::vector<int64_t> recount(m->matrix.counts.size(), 0);
    for (const auto& p : m->matrix.predictions) recount[p.true_class * m->matrix.classes() + p.predicted] += 1;
    if (recount != m->matrix.counts) {
      throw std::runtime_error(t.path() + ": its " + m->model +
                               " predictions do not add up to analysis.json's confusion matrix (files of two "
                               "analyses?); analyse the run again");
    }
  }
}

FeatureMap feature_map_from(const nlohmann::json& j) {
  FeatureMap f;
  f.layer = j.at("layer").get<std::string>();
  f.features = j.at("features").get<int64_t>();
  f.source_classes = j.at("source_classes").get<std::vector<std::string>>();
  f.target_classes = j.at("target_classes").get<std::vector<std::string>>();
  f.pca_explained_variance = j.at("pca_explained_variance").get<std::vector<double>>();
  f.has_tsne = j.at("tsne").get<bool>();
  f.tsne_kl_divergence = optional_double(j, "tsne_kl_divergence").value_or(0.0);
  f.mmd2 = optional_double(j, "mmd2");
  f.proxy_a_distance = optional_double(j, "proxy_a_distance");
  return f;
}

// Fills the feature maps' points from embedding.csv: per model, its PCA rows
// give the points in order and its t-SNE rows the same points again.
void read_embedding(RunAnalysis& a, const std::string& dir) {
  const Table t((fs::path(dir) / "embedding.csv").string());
  std::map<std::string, size_t> tsne_seen;
  for (size_t r = 0; r < t.size(); ++r) {
    const std::string& model = t.at(r, "model");
    auto it = std::find_if(a.feature_maps.begin(), a.feature_maps.end(),
                           [&](const ModelFeatureMap& m) { return m.model == model; });
    if (it == a.feature_maps.end()) throw std::runtime_error(t.path() + ": model '" + model + "' is not in analysis.json");
    FeatureMap& f = it->map;
    if (t.at(r, "method") == "pca") {
      FeatureMapPoint p;
      p.domain = t.at(r, "domain") == "source" ? Domain::Source : Domain::Target;
      p.index = t.integer(r, "index");
      p.label = class_index(p.domain == Domain::Source ? f.source_classes : f.target_classes, t.at(r, "class"), t.path());
      p.correct = t.at(r, "correct").empty() ? -1 : static_cast<int>(t.integer(r, "correct"));
      p.pca_x = static_cast<float>(t.number(r, "x"));
      p.pca_y = static_cast<float>(t.number(r, "y"));
      f.points.push_back(p);
    } else {
      const size_t i = tsne_seen[model]++;
      if (i >= f.points.size()) throw std::runtime_error(t.path() + ": more t-SNE than PCA rows for " + model);
      f.points[i].tsne_x = static_cast<float>(t.number(r, "x"));
      f.points[i].tsne_y = static_cast<float>(t.number(r, "y"));
    }
  }
}

void check_point_counts(const RunAnalysis& a, const nlohmann::json& maps, const std::string& dir) {
  for (size_t i = 0; i < a.feature_maps.size(); ++i) {
    const FeatureMap& f = a.feature_maps[i].map;
    if (f.count(Domain::Source) != maps[i].at("source_images").get<int64_t>() ||
        f.count(Domain::Target) != maps[i].at("target_images").get<int64_t>()) {
      throw std::runtime_error((fs::path(dir) / "embedding.csv").string() + ": the " + a.feature_maps[i].model +
                               " feature map's points do not match analysis.json (files of two analyses?); analyse "
                               "the run again");
    }
  }
}

RunAnalysis summary_from(const nlohmann::json& j, const std::string& run_dir) {
  RunAnalysis a;
  a.run_dir = run_dir;
  a.output_dir = analysis_dir(run_dir);
  a.name = j.at("name").get<std::string>();
  a.architecture = j.at("architecture").get<std::string>();
  const auto names = j.at("class_names").get<std::vector<std::string>>();
  a.transfer = confusion_from(j.at("transfer"), names);
  if (!j.at("twin").is_null()) a.twin = confusion_from(j["twin"], names);
  a.twin_name = j.at("twin_name").get<std::string>();
  if (!j.at("difference").is_null()) a.difference = flat_counts(j["difference"]);
  for (const auto& g : j.at("per_class")) {
    PerClassGap row;
    row.class_name = g.at("class").get<std::string>();
    row.transfer_accuracy = g.at("transfer_accuracy").get<double>();
    row.twin_accuracy = optional_double(g, "twin_accuracy");
    row.gap_points = optional_double(g, "gap_points");
    row.seeds = g.at("seeds").get<int64_t>();
    row.transfer_over_seeds = optional_mean_std(g, "transfer");
    row.twin_over_seeds = optional_mean_std(g, "twin");
    row.gap_points_over_seeds = optional_mean_std(g, "gap_points");
    a.per_class.push_back(row);
  }
  for (const auto& p : j.at("most_confused")) {
    a.most_confused.push_back({p.at("true").get<int64_t>(), p.at("predicted").get<int64_t>(), p.at("count").get<int64_t>()});
  }
  for (const auto& p : j.at("top_losses")) {
    a.top_losses.push_back({p.at("index").get<int64_t>(), p.at("true").get<int64_t>(), p.at("predicted").get<int64_t>(),
                            p.at("probability").get<double>(), p.at("loss").get<double>()});
  }
  a.grad_cam_layer = j.at("grad_cam_layer").get<std::string>();
  for (const auto& m : j.at("feature_maps")) a.feature_maps.push_back({m.at("model").get<std::string>(), feature_map_from(m)});
  a.notes = j.at("notes").get<std::vector<std::string>>();
  a.files = j.at("files").get<std::vector<std::string>>();
  const auto& o = j.at("options");
  a.options.layer = o.at("layer").get<std::string>();
  a.options.samples_per_domain = o.at("samples_per_domain").get<int64_t>();
  a.options.top_losses = o.at("top_losses").get<int64_t>();
  a.options.seed = o.at("seed").get<uint64_t>();
  a.options.threads = o.at("threads").get<int>();
  a.options.tsne_iterations = o.at("tsne_iterations").get<int64_t>();
  a.seconds = j.at("seconds").get<double>();
  return a;
}

}  // namespace

RunAnalysis read_analysis(const std::string& run_dir) {
  const std::string dir = analysis_dir(run_dir);
  const std::string path = (fs::path(dir) / "analysis.json").string();
  nlohmann::json j;
  try {
    j = parse_bounded_json(read_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
  } catch (const JsonRejected& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (!j.is_object() || !j.contains("version") || j["version"] != kAnalysisVersion) {
    throw std::runtime_error(path + ": not an analysis of version " + std::to_string(kAnalysisVersion) +
                             "; analyse the run again");
  }
  RunAnalysis a;
  try {
    a = summary_from(j, run_dir);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  read_predictions(a, dir);
  read_embedding(a, dir);
  check_point_counts(a, j["feature_maps"], dir);
  return a;
}

}  // namespace tl
