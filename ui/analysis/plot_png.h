#pragma once

#include <QByteArray>

class QCustomPlot;

namespace tl {

/// `plot` drawn at width × height as the bytes of a PNG file, for writers
/// that replace files atomically (core's write_file_atomically).
QByteArray plotPngBytes(QCustomPlot* plot, int width, int height);

}  // namespace tl
