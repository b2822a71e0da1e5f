#pragma once

#include <QString>

namespace tl {

/// RUN_DIR/model.safetensors when the run left a trained model there (every
/// finished run does, except a progressive network's); empty otherwise.
QString exportedModelIn(const QString& runDir);

/// The JSON file written beside an exported model: "a/b.safetensors" → "a/b.json".
QString metadataPathFor(const QString& modelPath);

/// File → Export model…: copies RUN_DIR/model.safetensors to `path` and
/// RUN_DIR/model.json to metadataPathFor(path). Each copy is written to a
/// temporary file and renamed, so a failure never leaves half a file. Returns
/// false and sets *error (naming the file) on failure.
bool copyExportedModel(const QString& runDir, const QString& path, QString* error = nullptr);

}  // namespace tl
