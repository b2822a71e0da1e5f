#include "sweep/sweep_format.h"

#include "sweep/sweep_table.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace tl {

QString sweepAxisTitle(const std::string& field) {
  if (field == "frozen_depth") return QObject::tr("Frozen depth");
  if (field == "learning_rate") return QObject::tr("Learning rate");
  if (field == "labels_per_class") return QObject::tr("Labels / class");
  if (field == "strategy") return QObject::tr("Strategy");
  if (field == "schedule") return QObject::tr("Schedule");
  if (field == "l2sp") return QObject::tr("L2-SP");
  if (field == "dann") return QObject::tr("DANN");
  if (field == "multitask") return QObject::tr("Multi-task");
  if (field == "progressive") return QObject::tr("Progressive");
  return QString::fromStdString(field);
}

QString sweepAxisShortTitle(const std::string& field) {
  if (field == "frozen_depth") return QObject::tr("Depth");
  if (field == "learning_rate") return QObject::tr("LR");
  if (field == "labels_per_class") return QObject::tr("Labels");
  return sweepAxisTitle(field);
}

QString sweepValueText(const nlohmann::json& value) {
  return QString::fromStdString(sweep_value_text(value));
}

QString signedPointsText(double points) {
  return (points >= 0 ? QStringLiteral("+") : QStringLiteral("−")) + QString::number(std::abs(points), 'f', 1);
}

QVariant sweepValueSortKey(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  return sweepValueText(value);
}

namespace {

std::vector<nlohmann::json> specValues(const SweepTable& table, const std::string& field) {
  if (!table.spec.is_object() || !table.spec.contains("axes") || !table.spec["axes"].is_array()) return {};
  for (const nlohmann::json& axis : table.spec["axes"]) {
    if (axis.is_object() && axis.value("field", std::string()) == field && axis.contains("values") &&
        axis["values"].is_array()) {
      return axis["values"].get<std::vector<nlohmann::json>>();
    }
  }
  return {};
}

}  // namespace

std::vector<nlohmann::json> sweepAxisValues(const SweepTable& table, const std::string& field) {
  std::vector<nlohmann::json> values = specValues(table, field);
  if (values.empty()) {
    for (const TrialResult& trial : table.trials) {
      if (!trial.values.contains(field)) continue;
      const nlohmann::json& value = trial.values[field];
      if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
    }
  }
  const bool numbers = std::all_of(values.begin(), values.end(), [](const nlohmann::json& v) { return v.is_number(); });
  if (numbers) {
    std::stable_sort(values.begin(), values.end(),
                     [](const nlohmann::json& a, const nlohmann::json& b) { return a.get<double>() < b.get<double>(); });
  }
  return values;
}

}  // namespace tl
