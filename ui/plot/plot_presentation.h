#pragma once

class QCustomPlot;

namespace tl {

/// Presentation mode for a plot that has no scaling of its own (LossPlot
/// has): its axis and legend fonts become the application font at factor 1
/// (PresentationScale::baseFont), `pointSizeDelta` points apart but 7 at
/// least, times the current factor, and every graph's pen `penWidth` times
/// the factor; again whenever the factor changes, for as long as `plot` lives.
/// Graphs added later take their width from scaledPenWidth.
void followPresentationScale(QCustomPlot* plot, double penWidth, double pointSizeDelta = 0.0);

/// `width` at the current presentation factor.
double scaledPenWidth(double width);

}  // namespace tl
