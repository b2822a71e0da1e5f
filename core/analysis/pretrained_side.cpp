#include "analysis/pretrained_side.h"

#include "experiment/experiment.h"
#include "experiment/source_task.h"
#include "weights/pretrained_catalog.h"

namespace tl {

PretrainedSide load_pretrained_side(const RunFolder& folder, std::vector<std::string>& notes) {
  PretrainedSide side;
  const std::string& name = folder.config.model.pretrained;
  if (name.empty()) {
    notes.push_back("the run trained from scratch: no pretrained model and no source task, so the feature map shows "
                    "the target's images alone and has no similarity numbers");
    return side;
  }
  try {
    SavedModel m;
    m.path = resolve_checkpoint(name);
    const Checkpoint checkpoint = load_checkpoint(m.path);
    m.metadata = checkpoint.metadata;
    m.model = model_from_checkpoint(checkpoint);
    side.model = m;
  } catch (const std::exception& e) {
    notes.push_back("the pretrained model could not be loaded (" + std::string(e.what()) +
                    "): no feature map before training, no source images");
    return side;
  }
  try {
    const DataConfig source = recorded_source_task(side.model->metadata, "feature map");
    const InputShape input = side.model->model->input_shape();
    const auto channels = static_cast<size_t>(input.channels);
    const Normalization identity{std::vector<double>(channels, 0.0), std::vector<double>(channels, 1.0)};
    side.source_pixels = build_task_data(source, identity, "source", input).test;
  } catch (const std::exception& e) {
    notes.push_back(std::string(e.what()) + ": the feature maps show the target's images alone");
  }
  return side;
}

}  // namespace tl
