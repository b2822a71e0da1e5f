#pragma once

#include "panels/sample_strip.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tl {

/// What loading an image folder found, as the data panel shows it (a
/// torch-free copy of tl::ImageFolderReport plus a few sample images).
struct FolderSummary {
  QString folder;
  QStringList classNames;
  QVector<qint64> train;  ///< images per class, indexed like classNames
  QVector<qint64> validation;
  QVector<qint64> test;
  qint64 files = 0;
  qint64 skippedCount = 0;
  QStringList firstSkipped;  ///< "path: reason" of the first few skipped files
  bool fromCache = false;
  QVector<Sample> samples;   ///< training images cycling through the classes
  QString error;             ///< non-empty: the folder could not be loaded
};

class BackgroundTask;

/// Scans and decodes an image folder on a BackgroundTask at the model's input
/// size, so the panel can show its classes, counts and skipped files and the
/// run that follows reads the decoded images back from the disk cache. One
/// load at a time: a new one cancels the last.
class FolderPreview : public QObject {
  Q_OBJECT

 public:
  explicit FolderPreview(QObject* parent = nullptr);
  ~FolderPreview() override;  ///< cancels the load; its thread is joined

  struct Request {
    QString folder;
    int channels = 1;
    int height = 28;
    int width = 28;
    double valFraction = 0.1;
    qint64 seed = 1;
    int samples = 8;  ///< sample images for the strip
  };
  void load(const Request& request);
  /// Stops the load in progress; no finished() follows for it, cancelled() does.
  void cancel();
  bool isLoading() const;
  /// The load's task, for a TaskProgressBar.
  BackgroundTask* task() const { return task_; }

 Q_SIGNALS:
  /// "Reading the folder…" (fraction < 0), then "Decoding 12 / 40 images".
  void progress(double fraction, const QString& text);
  /// A load ended; summary.error says why when it failed.
  void finished(const tl::FolderSummary& summary);
  /// The load was cancelled: by cancel() or its Cancel button.
  void cancelled();

 private:
  BackgroundTask* task_;
  QString folder_;  ///< of the running load, for its error summary
};

}  // namespace tl
