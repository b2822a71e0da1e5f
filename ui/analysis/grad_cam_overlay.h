#pragma once

#include <QColor>
#include <QImage>
#include <QVector>

namespace tl {

/// Viridis, the perceptual colour map (dark blue-violet → green → yellow):
/// lightness grows evenly with `t` in [0, 1] (clamped), so a heat map reads
/// the same in grey and to colour-blind viewers, unlike a rainbow.
QColor viridis(double t);

/// A horizontal bar of the colour map, from 0 at the left to 1 at the right.
QImage viridisScale(int width, int height);

/// One pixel of an overlay: `image` (its RGB) and viridis(`heat`) mixed with
/// `alpha` of the heat colour.
QRgb blendHeat(QRgb image, double heat, double alpha);

/// `image` (grey or colour) with a heat map laid over it: `heat` holds
/// image.width() × image.height() values in [0, 1], row by row. Returns a
/// null image when the sizes disagree.
QImage heatOverlay(const QImage& image, const QVector<float>& heat, double alpha = 0.5);

}  // namespace tl
