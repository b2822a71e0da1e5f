#pragma once

#include <QDialog>
#include <QImage>
#include <QListWidget>
#include <QString>
#include <QVector>

class QLabel;

namespace tl {

/// One test image in a gallery: its place in the test set, its pixels (null
/// when the run's test images could not be rebuilt) and the lines under it.
struct GalleryImage {
  qint64 index = 0;
  QImage image;
  QString caption;
};

/// Test images as a grid of enlarged thumbnails with captions. Clicking an
/// image, or Enter on it, chooses it.
class ImageGallery : public QListWidget {
  Q_OBJECT

 public:
  explicit ImageGallery(QWidget* parent = nullptr);

  void setImages(const QVector<GalleryImage>& images);
  /// The test-set indices shown, in order.
  QVector<qint64> indices() const;
  QString caption(int row) const;
  /// Whether the image at `row` has pixels (not only a caption).
  bool hasPixels(int row) const;

 Q_SIGNALS:
  void imageChosen(qint64 testIndex);
};

/// A cell's gallery: the test images of one class predicted as another, each
/// with the model's probability. Not modal, so a chosen image can be looked
/// at elsewhere in the window while the gallery stays open.
class GalleryDialog : public QDialog {
  Q_OBJECT

 public:
  explicit GalleryDialog(QWidget* parent = nullptr);

  /// Shows `images` under `title`; `note` (may be empty) says what is missing.
  void showImages(const QString& title, const QVector<GalleryImage>& images, const QString& note = QString());
  ImageGallery* gallery() const { return gallery_; }
  QString title() const;

 Q_SIGNALS:
  void imageChosen(qint64 testIndex);

 private:
  QLabel* title_;
  QLabel* note_;
  ImageGallery* gallery_;
};

}  // namespace tl
