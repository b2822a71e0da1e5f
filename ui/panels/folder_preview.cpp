#include "panels/folder_preview.h"

#include "data/image_folder.h"
#include "data/image_folder_data.h"

#include <QMetaObject>

#include <atomic>
#include <cstring>
#include <thread>

namespace tl {
namespace {

QImage toImage(const torch::Tensor& chw) {
  const auto bytes = (chw.clamp(0.0, 1.0) * 255.0).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  const int h = static_cast<int>(bytes.size(0));
  const int w = static_cast<int>(bytes.size(1));
  const bool grey = bytes.size(2) == 1;
  QImage image(w, h, grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
  const int rowBytes = w * static_cast<int>(bytes.size(2));
  for (int y = 0; y < h; ++y) std::memcpy(image.scanLine(y), bytes.data_ptr<uint8_t>() + y * rowBytes, rowBytes);
  return image;
}

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
      samples.push_back({toImage(train.images[byClass[c][round]]), QString::fromStdString(train.class_names[c])});
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

struct FolderPreview::Worker {
  std::thread thread;
  std::atomic<bool> cancel{false};
  std::atomic<bool> running{false};

  void stop() {
    cancel = true;
    if (thread.joinable()) thread.join();
    cancel = false;
  }
};

FolderPreview::FolderPreview(QObject* parent) : QObject(parent), worker_(std::make_unique<Worker>()) {}

FolderPreview::~FolderPreview() { worker_->stop(); }

bool FolderPreview::isLoading() const { return worker_->running; }

void FolderPreview::cancel() {
  ++generation_;
  worker_->stop();
}

void FolderPreview::load(const Request& request) {
  cancel();
  const int generation = generation_;
  worker_->running = true;
  worker_->thread = std::thread([this, request, generation, worker = worker_.get()] {
    // Posts to the GUI thread; the preview outlives the thread (its destructor
    // joins) and drops what an older load posts.
    const auto post = [this, generation](auto call) {
      QMetaObject::invokeMethod(
          this,
          [this, generation, call] {
            if (generation == generation_) call();
          },
          Qt::QueuedConnection);
    };
    FolderSummary summary;
    summary.folder = request.folder;
    try {
      ImageDecodeOptions options;
      options.size = {request.channels, request.height, request.width};
      options.cancel = &worker->cancel;
      qint64 lastPosted = -1;
      options.progress = [&](int64_t done, int64_t total) {
        // At most ~100 updates however large the folder.
        if (done != total && total > 100 && done - lastPosted < total / 100) return;
        lastPosted = done;
        post([this, done, total] { Q_EMIT progress(done, total); });
      };
      const ImageFolderListing listing = scan_image_folder(request.folder.toStdString());
      const ImageFolderData data =
          load_image_folder(listing, options, {request.valFraction, static_cast<uint64_t>(request.seed)});
      summary = summarize(data, request.samples);
    } catch (const ImageDecodeCancelled&) {
      worker->running = false;
      return;
    } catch (const std::exception& e) {
      summary.error = QString::fromStdString(e.what());
    }
    worker->running = false;
    post([this, summary] { Q_EMIT finished(summary); });
  });
}

}  // namespace tl
