#include "panels/sample_strip.h"

#include <QGridLayout>
#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

namespace tl {

SampleStrip::SampleStrip(QWidget* parent) : QWidget(parent), grid_(new QGridLayout), message_(new QLabel(this)) {
  message_->setWordWrap(true);
  message_->hide();
  grid_->setSpacing(2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(grid_);
  layout->addWidget(message_);
}

// Column 0 holds the row title; images start at column 1.
QLabel* SampleStrip::cell(int row, int column) {
  if (QLayoutItem* item = grid_->itemAtPosition(row, column)) return qobject_cast<QLabel*>(item->widget());
  auto* label = new QLabel(this);
  grid_->addWidget(label, row, column);
  return label;
}

void SampleStrip::setRow(int row, const QString& title, const QVector<Sample>& samples) {
  if (rows_.size() <= row) rows_.resize(row + 1);
  rows_[row] = samples;
  message_->hide();
  cell(row, 0)->setText(title);
  for (int i = 0; i < samples.size(); ++i) {
    QLabel* label = cell(row, i + 1);
    const QImage scaled = samples[i].image.scaled(imageSize_, imageSize_, Qt::KeepAspectRatio, Qt::FastTransformation);
    label->setPixmap(QPixmap::fromImage(scaled));
    label->setToolTip(samples[i].className);
    label->show();
  }
  // Fewer samples than before (fewer classes): hide the leftovers.
  for (int column = samples.size() + 1; column < grid_->columnCount(); ++column) {
    if (QLayoutItem* item = grid_->itemAtPosition(row, column)) item->widget()->hide();
  }
}

void SampleStrip::setMessage(const QString& message) {
  message_->setText(message);
  message_->show();
}

}  // namespace tl
