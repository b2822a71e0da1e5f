#include "weights/pretrained_catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tl {

std::string resource_dir() {
  if (const char* env = std::getenv("TRANSFERLAB_RESOURCES"); env && *env) return env;
  if (fs::is_directory(TL_SOURCE_RESOURCE_DIR)) return TL_SOURCE_RESOURCE_DIR;
  return TL_INSTALL_RESOURCE_DIR;
}

std::vector<PretrainedModel> builtin_models() {
  std::vector<PretrainedModel> models;
  const fs::path dir = fs::path(resource_dir()) / "models";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".safetensors") continue;
    try {
      // Only the header is needed, but checkpoints are small: read it whole.
      Checkpoint ckpt = load_checkpoint(entry.path().string());
      models.push_back({entry.path().stem().string(), entry.path().string(), ckpt.metadata});
    } catch (const std::exception&) {
      // An unreadable file is not a built-in model; `layers --model FILE` reports why.
    }
  }
  std::sort(models.begin(), models.end(),
            [](const PretrainedModel& a, const PretrainedModel& b) { return a.name < b.name; });
  return models;
}

std::string resolve_checkpoint(const std::string& name_or_path) {
  for (const auto& m : builtin_models()) {
    if (m.name == name_or_path) return m.path;
  }
  if (fs::is_regular_file(name_or_path)) return name_or_path;
  std::string known;
  for (const auto& m : builtin_models()) known += (known.empty() ? "" : ", ") + m.name;
  throw std::runtime_error("model '" + name_or_path + "': no such built-in model or file (built-in: " +
                           (known.empty() ? std::string("none found in ") + resource_dir() + "/models" : known) +
                           ")");
}

}  // namespace tl
