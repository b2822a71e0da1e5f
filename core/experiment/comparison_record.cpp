#include "experiment/comparison_record.h"

#include "experiment/model_export.h"

#include <filesystem>
#include <stdexcept>

namespace tl {

bool write_comparison(const Comparison& comparison, const std::string& dir) {
  if (comparison.runs.empty()) throw std::invalid_argument("write_comparison: the comparison has no runs");
  RunRecord first = comparison.runs.front().transfer;
  first.sections = comparison.sections();
  write_run(first, dir);
  if (comparison.exported_model) write_model_export(*comparison.exported_model, dir);
  const auto& first_twin = comparison.runs.front().baseline;
  if (!first_twin) return false;
  const std::string twin_dir = (std::filesystem::path(dir) / "twin").string();
  write_run(*first_twin, twin_dir);
  if (comparison.exported_twin_model) write_model_export(*comparison.exported_twin_model, twin_dir);
  return true;
}

}  // namespace tl
