#include "panels/folder_preview.h"

#include "panels/tensor_image.h"
#include "tasks/background_task.h"

#include "data/image_folder.h"
#include "data/image_folder_data.h"

#include <QSignalBlocker>

namespace tl {
namespace {

QVector<qint64> toQVector(const std::vector<int64_t>& values) { return QVector<qint64>(values.begin(), values.end()); }

// Up to `count` training images, one class after another, so every class shows.
QVector<Sample> samplesOf(const Dataset& train, int count) {
  QVector<Sample> samples;
  std::vector<std::vector<int64_t>> byClass(train.class_names.size());
  const auto labels = train.labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < labels.size(0); ++i) byClass[static_cast<size_t>(labels[i])].push_back(i);
  for (size_t round = 0; samples.size() < count; ++round) {
    bool any = false;
    for (size_t c = 0; c < byClass.size() && samples.size() < count; ++c) {
      if (round >= byClass[c].size()) continue;
      any = true;
      samples.push_back({tensorToImage(train.images[byClass[c][round]]), QString::fromStdString(train.class_names[c])});
    }
    if (!any) break;
  }
  return samples;
}

FolderSummary summarize(const ImageFolderData& data, int sampleCount) {
  const ImageFolderReport& r = data.report;
  FolderSummary s;
  s.folder = QString::fromStdString(r.root);
  for (const auto& name : r.class_names) s.classNames << QString::fromStdString(name);
  s.train = toQVector(r.train_per_class);
  s.validation = toQVector(r.validation_per_class);
  s.test = toQVector(r.test_per_class);
  s.files = r.files;
  s.skippedCount = static_cast<qint64>(r.skipped.size());
  for (size_t i = 0; i < std::min<size_t>(5, r.skipped.size()); ++i) {
    s.firstSkipped << QString::fromStdString(r.skipped[i].reason);
  }
  s.fromCache = r.from_cache;
  s.samples = samplesOf(data.train, sampleCount);
  return s;
}

}  // namespace

FolderPreview::FolderPreview(QObject* parent) : QObject(parent), task_(new BackgroundTask(this)) {
  connect(task_, &BackgroundTask::progress, this, &FolderPreview::progress);
  connect(task_, &BackgroundTask::cancelled, this, &FolderPreview::cancelled);
  connect(task_, &BackgroundTask::failed, this, [this](const QString& message) {
    FolderSummary summary;
    summary.folder = folder_;
    summary.error = message;
    Q_EMIT finished(summary);
  });
}

FolderPreview::~FolderPreview() = default;  // the task, a child, cancels and joins

bool FolderPreview::isLoading() const { return task_->isRunning(); }

void FolderPreview::cancel() { task_->cancel(); }

void FolderPreview::load(const Request& request) {
  {
    const QSignalBlocker replacing(this);  // a newer load replaces it: not a cancel to report
    task_->cancel();
  }
  folder_ = request.folder;
  task_->start(
      [request](TaskContext& context) {
        context.progress(-1.0, tr("Reading the folder…"));
        ImageDecodeOptions options;
        options.size = {request.channels, request.height, request.width};
        options.cancel = &context.cancelFlag();
        options.progress = [&context](int64_t done, int64_t total) {
          context.progress(total > 0 ? static_cast<double>(done) / static_cast<double>(total) : -1.0,
                           tr("Decoding %1 / %2 images").arg(done).arg(total));
        };
        const ImageFolderListing listing = scan_image_folder(request.folder.toStdString());
        const ImageFolderData data =
            load_image_folder(listing, options, {request.valFraction, static_cast<uint64_t>(request.seed)});
        return summarize(data, request.samples);
      },
      [this](const FolderSummary& summary) { Q_EMIT finished(summary); });
}

}  // namespace tl
