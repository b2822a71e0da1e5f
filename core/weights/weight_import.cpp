#include "weights/weight_import.h"

#include "models/model_checks.h"
#include "models/named_tensors.h"
#include "weights/safetensors.h"

#include <torch/csrc/jit/serialization/import.h>

#include <set>
#include <sstream>
#include <stdexcept>

namespace tl {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Up to `limit` names, then "and N more".
std::string first_few(const std::vector<std::string>& names, size_t limit = 3) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < limit; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

std::string mismatch_text(const ShapeMismatch& m) {
  return m.name + ": file " + shape_text(m.file_shape) + ", model " + shape_text(m.model_shape);
}

/// The report's problems outside the head, for the error message.
std::vector<std::string> problems_outside_head(const ImportReport& report, const std::string& head) {
  std::vector<std::string> problems;
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& n : report.missing) {
    if (!is_under_path(n, head)) missing.push_back(n);
  }
  for (const auto& n : report.unexpected) {
    if (!is_under_path(n, head)) unexpected.push_back(n);
  }
  for (const auto& m : report.mismatched) {
    if (!is_under_path(m.name, head)) mismatched.push_back(mismatch_text(m));
  }
  if (!missing.empty()) problems.push_back(std::to_string(missing.size()) + " missing (" + first_few(missing) + ")");
  if (!unexpected.empty()) {
    problems.push_back(std::to_string(unexpected.size()) + " unexpected (" + first_few(unexpected) + ")");
  }
  if (!mismatched.empty()) {
    problems.push_back(std::to_string(mismatched.size()) + " of another shape (" + first_few(mismatched) + ")");
  }
  return problems;
}

}  // namespace

std::string ImportReport::summary() const {
  std::ostringstream out;
  out << "loaded " << loaded.size() << " tensors";
  if (head_replaced) out << "; head replaced";
  if (!mismatched.empty()) {
    std::vector<std::string> texts;
    for (const auto& m : mismatched) texts.push_back(mismatch_text(m));
    out << "; " << mismatched.size() << " of another shape (" << first_few(texts) << ")";
  }
  if (!missing.empty()) out << "; " << missing.size() << " missing (" << first_few(missing) << ")";
  if (!unexpected.empty()) out << "; " << unexpected.size() << " unexpected (" << first_few(unexpected) << ")";
  return out.str();
}

ImportReport import_named_tensors(const std::map<std::string, torch::Tensor>& tensors, TransferModelImpl& model,
                                  const std::string& origin, ImportOptions options) {
  const std::string head = model.head_path();
  ImportReport report;
  std::set<std::string> ours;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (model tensor, file tensor)
  for (auto& [name, target] : named_tensors(model)) {
    ours.insert(name);
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      report.missing.push_back(name);
    } else if (found->second.sizes() != target.sizes()) {
      report.mismatched.push_back({name, target.sizes().vec(), found->second.sizes().vec()});
    } else {
      report.loaded.push_back(name);
      copies.emplace_back(target, found->second);
    }
  }
  for (const auto& item : tensors) {
    if (!ours.count(item.first)) report.unexpected.push_back(item.first);
  }
  for (const auto& n : report.missing) report.head_replaced |= is_under_path(n, head);
  for (const auto& m : report.mismatched) report.head_replaced |= is_under_path(m.name, head);

  // Check everything before copying anything, so a refused import leaves the
  // model as it was.
  const auto problems = problems_outside_head(report, head);
  if (!problems.empty() && !options.allow_partial) {
    std::string message = origin + ": does not fit " + model.architecture() + " outside its head (" + head + "): ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw std::runtime_error(message + ". Allow a partial load to load the rest.");
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, source] : copies) target.copy_(source);
  return report;
}

std::map<std::string, torch::Tensor> read_torchscript_tensors(const std::string& path) {
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, torch::kCPU);
  } catch (const std::exception& e) {
    // LibTorch's message carries a C++ backtrace; its first line says enough.
    std::string what = e.what();
    throw std::runtime_error(path + ": not a readable TorchScript file (" + what.substr(0, what.find('\n')) + ")");
  }
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) tensors[p.name] = p.value;
  for (const auto& b : module.named_buffers(/*recurse=*/true)) tensors[b.name] = b.value;
  return tensors;
}

ImportReport import_torchscript(const std::string& path, TransferModelImpl& model, ImportOptions options) {
  return import_named_tensors(read_torchscript_tensors(path), model, path, options);
}

}  // namespace tl

namespace tl {

ImportReport import_safetensors(const std::string& path, TransferModelImpl& model, ImportOptions options) {
  return import_named_tensors(read_safetensors(path).tensors, model, path, options);
}

}  // namespace tl
