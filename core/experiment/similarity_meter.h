#pragma once

#include "experiment/experiment_config.h"
#include "transfer/domain_similarity.h"
#include "weights/checkpoint.h"

#include <string>

namespace tl {

/// The task a pretrained checkpoint was trained on: the DataConfig of its
/// pretraining recipe (metadata.extra["recipe"]["source"]) when present, else
/// the Fashion-MNIST classes named by its class names. Throws naming
/// `checkpoint` when neither says what the source was.
DataConfig source_task_of(const CheckpointMetadata& metadata, const std::string& checkpoint);

/// The domain similarity meter for a config: the pretrained model's source
/// task against config.target (training and validation images of both, each
/// normalised with the checkpoint's statistics), measured on the frozen
/// model's features after every block (see measure_domain_similarity).
/// Throws ConfigError when the config has no pretrained model.
SimilarityReport measure_similarity(const ExperimentConfig& config, SimilarityOptions options = {});

}  // namespace tl
