#include "models/layer_tree.h"

namespace tl {

namespace {

void visit(const torch::nn::Module& module, const std::string& path, const std::string& name, int depth,
           int parent, std::vector<LayerInfo>& out) {
  LayerInfo info;
  info.path = path;
  info.name = name;
  info.type = module_type_name(module);
  info.depth = depth;
  info.parent = parent;
  for (const auto& p : module.named_parameters(/*recurse=*/false)) {
    info.parameter_shapes.push_back(p.value().sizes().vec());
    info.own_parameters += p.value().numel();
  }
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    info.subtree_parameters += p.numel();
    if (p.requires_grad()) info.trainable_parameters += p.numel();
  }
  const int index = static_cast<int>(out.size());
  out.push_back(std::move(info));
  for (const auto& child : module.named_children()) {
    const std::string child_path = path.empty() ? child.key() : path + "." + child.key();
    visit(*child.value(), child_path, child.key(), depth + 1, index, out);
  }
}

}  // namespace

std::vector<LayerInfo> layer_tree(const torch::nn::Module& model, const std::string& root_name) {
  std::vector<LayerInfo> tree;
  visit(model, "", root_name, 0, -1, tree);
  return tree;
}

std::string module_type_name(const torch::nn::Module& module) {
  std::string name = module.name();
  name = name.substr(0, name.find('<'));  // drop template arguments, if any
  const auto colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  const std::string suffix = "Impl";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

}  // namespace tl
