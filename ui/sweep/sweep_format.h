#pragma once

// How the Sweep view names axes and shows their values, in one place for the
// table, the curve and the heat map. Torch-free.

#include <nlohmann/json.hpp>

#include <QString>
#include <QVariant>

#include <string>
#include <vector>

namespace tl {

struct SweepTable;

/// "Frozen depth", "Learning rate", "Labels / class"; a dotted field as it is.
QString sweepAxisTitle(const std::string& field);

/// A table header that leaves room for the numbers: "Depth", "LR", "Labels"; else sweepAxisTitle.
QString sweepAxisShortTitle(const std::string& field);

/// A value as a cell shows it: core's sweep_value_text, as the CLI prints it.
QString sweepValueText(const nlohmann::json& value);

/// Points with their sign: "+12.3", "−4.0" (a true minus sign).
QString signedPointsText(double points);

/// What a column sorts by: numbers as numbers, everything else as its text.
QVariant sweepValueSortKey(const nlohmann::json& value);

/// The values an axis takes, in the spec's order (numbers ascending when
/// they all are numbers); from the finished trials when the spec cannot be read.
std::vector<nlohmann::json> sweepAxisValues(const SweepTable& table, const std::string& field);

}  // namespace tl
