#include "analysis/image_gallery.h"

#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

namespace tl {

namespace {

constexpr int kThumbnail = 84;  ///< pixels: a 28-pixel image three times over, sharp
constexpr int kIndexRole = Qt::UserRole;

}  // namespace

ImageGallery::ImageGallery(QWidget* parent) : QListWidget(parent) {
  setViewMode(QListView::IconMode);
  setIconSize(QSize(kThumbnail, kThumbnail));
  setGridSize(QSize(kThumbnail + 40, kThumbnail + 48));
  setResizeMode(QListView::Adjust);
  setMovement(QListView::Static);
  setWordWrap(true);
  setUniformItemSizes(true);
  const auto choose = [this](QListWidgetItem* item) {
    if (item) Q_EMIT imageChosen(item->data(kIndexRole).toLongLong());
  };
  connect(this, &QListWidget::itemClicked, this, choose);
  connect(this, &QListWidget::itemActivated, this, choose);
}

void ImageGallery::setImages(const QVector<GalleryImage>& images) {
  clear();
  for (const GalleryImage& image : images) {
    auto* item = new QListWidgetItem(image.caption, this);
    item->setData(kIndexRole, image.index);
    item->setToolTip(image.caption);
    if (!image.image.isNull()) {
      item->setIcon(QIcon(QPixmap::fromImage(image.image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio,
                                                                  Qt::FastTransformation))));
    }
  }
}

QVector<qint64> ImageGallery::indices() const {
  QVector<qint64> result;
  for (int row = 0; row < count(); ++row) result << item(row)->data(kIndexRole).toLongLong();
  return result;
}

QString ImageGallery::caption(int row) const { return item(row)->text(); }
bool ImageGallery::hasPixels(int row) const { return !item(row)->icon().isNull(); }

GalleryDialog::GalleryDialog(QWidget* parent)
    : QDialog(parent), title_(new QLabel), note_(new QLabel), gallery_(new ImageGallery) {
  setWindowTitle(tr("Test images"));
  title_->setWordWrap(true);
  note_->setWordWrap(true);
  note_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(note_);
  layout->addWidget(gallery_, 1);
  resize(640, 480);
  connect(gallery_, &ImageGallery::imageChosen, this, &GalleryDialog::imageChosen);
}

void GalleryDialog::showImages(const QString& title, const QVector<GalleryImage>& images, const QString& note) {
  title_->setText(title);
  note_->setText(note);
  note_->setVisible(!note.isEmpty());
  gallery_->setImages(images);
  show();
  raise();
}

QString GalleryDialog::title() const { return title_->text(); }

}  // namespace tl
