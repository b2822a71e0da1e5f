#include "main_window/model_export_files.h"

#include "experiment/model_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace tl {
namespace {

bool copyFile(const QString& from, const QString& to, QString* error) {
  QFile in(from);
  if (!in.open(QIODevice::ReadOnly)) {
    if (error) *error = QObject::tr("%1: cannot read (%2)").arg(from, in.errorString());
    return false;
  }
  QSaveFile out(to);
  if (!out.open(QIODevice::WriteOnly) || out.write(in.readAll()) != in.size() || !out.commit()) {
    if (error) *error = QObject::tr("%1: cannot write (%2)").arg(to, out.errorString());
    return false;
  }
  return true;
}

}  // namespace

QString exportedModelIn(const QString& runDir) {
  if (runDir.isEmpty()) return {};
  const QString path = QDir(runDir).filePath(QString::fromLatin1(kExportedWeightsFile));
  return QFileInfo::exists(path) ? path : QString();
}

QString metadataPathFor(const QString& modelPath) {
  const QFileInfo info(modelPath);
  const QString base = info.suffix() == QLatin1String("safetensors") ? info.completeBaseName() : info.fileName();
  return info.dir().filePath(base + QStringLiteral(".json"));
}

bool copyExportedModel(const QString& runDir, const QString& path, QString* error) {
  const QString weights = exportedModelIn(runDir);
  if (weights.isEmpty()) {
    if (error) *error = QObject::tr("%1 holds no trained model to export").arg(runDir);
    return false;
  }
  const QString metadata = QDir(runDir).filePath(QString::fromLatin1(kExportedMetadataFile));
  return copyFile(weights, path, error) && copyFile(metadata, metadataPathFor(path), error);
}

}  // namespace tl
