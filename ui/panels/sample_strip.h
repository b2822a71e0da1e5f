#pragma once

#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QGridLayout;
class QLabel;

namespace tl {

/// A labelled image with its class name.
struct Sample {
  QImage image;
  QString className;
};

/// Rows of small images ("Source", "Target"), each scaled up without
/// smoothing so pixels stay crisp, with the class name as tooltip.
class SampleStrip : public QWidget {
  Q_OBJECT

 public:
  explicit SampleStrip(QWidget* parent = nullptr);

  void setRow(int row, const QString& title, const QVector<Sample>& samples);
  QVector<Sample> row(int row) const { return rows_.value(row); }
  /// Shown instead of the images (e.g. "Fashion-MNIST not found").
  void setMessage(const QString& message);
  void setImageSize(int pixels) { imageSize_ = pixels; }

 private:
  QLabel* cell(int row, int column);

  QGridLayout* grid_;
  QLabel* message_;
  QVector<QVector<Sample>> rows_;
  int imageSize_ = 42;  ///< 1.5× a 28-pixel image: crisp, and 8 fit a side panel
};

}  // namespace tl
