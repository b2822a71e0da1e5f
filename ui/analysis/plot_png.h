#pragma once

#include <QByteArray>
#include <QPicture>
#include <QSize>

class QCustomPlot;

namespace tl {

/// `plot` drawn at width × height as the bytes of a PNG file, for writers
/// that replace files atomically (core's write_file_atomically).
QByteArray plotPngBytes(QCustomPlot* plot, int width, int height);

/// A plot's drawing at a fixed size, recorded on the GUI thread and turned
/// into PNG bytes on any thread: recording only lists the painter's calls,
/// while rasterising and encoding (tens of milliseconds at export size) can
/// then run off the GUI thread, where QImage may be painted but QPixmap not.
class RecordedPlot {
 public:
  RecordedPlot() = default;
  /// Records `plot` laid out at `size`; GUI thread only (it reads the widget).
  RecordedPlot(QCustomPlot* plot, QSize size);

  QSize size() const { return size_; }
  /// The PNG file's bytes, as plotPngBytes writes them but for the edges of
  /// clip rectangles, which the replay antialiases; empty when nothing was
  /// recorded. Any thread.
  QByteArray pngBytes() const;

 private:
  QByteArray commands_;  ///< QPicture::data(): shared read-only between threads
  QSize size_;
};

}  // namespace tl
