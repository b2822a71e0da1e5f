#include "sweep/sweep_table_model.h"

#include "sweep/sweep_format.h"
#include "util/text_format.h"

namespace tl {
namespace {

QString meanAndStd(double mean, double std) {
  return QStringLiteral("%1 ± %2").arg(QString::fromStdString(format_percent(mean)),
                                       QString::number(100.0 * std, 'f', 1));
}

}  // namespace

SweepTableModel::SweepTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepTableModel::setTable(const SweepTable& table) {
  beginResetModel();
  table_ = table;
  endResetModel();
}

const TrialResult* SweepTableModel::trialAt(int row) const {
  if (row < 0 || row >= static_cast<int>(table_.trials.size())) return nullptr;
  return &table_.trials[static_cast<size_t>(row)];
}

int SweepTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(table_.trials.size());
}

int SweepTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : metricColumn(MetricCount);
}

QVariant SweepTableModel::data(const QModelIndex& index, int role) const {
  const TrialResult* trial = trialAt(index.row());
  if (!trial || index.column() < 0 || index.column() >= columnCount()) return {};
  if (role == TrialRole) return index.row();
  if (role == Qt::TextAlignmentRole) {
    const bool number = index.column() == 0 || index.column() >= metricColumn(Accuracy);
    return static_cast<int>((number ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
  }
  if (index.column() == 0) {
    if (role == Qt::DisplayRole) return trial->index + 1;
    if (role == SortRole) return trial->index;
    return {};
  }
  const int axis = index.column() - 1;
  if (axis < static_cast<int>(table_.axes.size())) {
    const std::string& field = table_.axes[static_cast<size_t>(axis)];
    const nlohmann::json value = trial->values.contains(field) ? trial->values[field] : nlohmann::json();
    if (role == Qt::DisplayRole) return sweepValueText(value);
    if (role == SortRole) return sweepValueSortKey(value);
    if (role == Qt::ToolTipRole) return QString::fromStdString(value.dump());
    return {};
  }
  return metricData(*trial, static_cast<Metric>(index.column() - metricColumn(Accuracy)), role);
}

QVariant SweepTableModel::metricData(const TrialResult& trial, Metric metric, int role) const {
  if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole) return {};
  const bool sort = role == SortRole;
  switch (metric) {
    case Accuracy:
      if (role == Qt::ToolTipRole) {
        QStringList seeds;
        for (size_t i = 0; i < trial.accuracy.size(); ++i) {
          const QString seed = i < trial.seeds.size() ? QString::number(trial.seeds[i]) : QString::number(i + 1);
          seeds << tr("seed %1: %2").arg(seed, QString::fromStdString(format_percent(trial.accuracy[i])));
        }
        return seeds.join(QLatin1Char('\n'));
      }
      return sort ? QVariant(trial.mean) : QVariant(meanAndStd(trial.mean, trial.std));
    case TwinAccuracy:
      if (role == Qt::ToolTipRole) return tr("The scratch twin, shared by every trial on the same data");
      return sort ? QVariant(trial.twin_mean) : QVariant(meanAndStd(trial.twin_mean, trial.twin_std));
    case Gain:
      if (role == Qt::ToolTipRole) return tr("Transfer − twin, percentage points");
      return sort ? QVariant(trial.gain) : QVariant(signedPointsText(trial.gain));
    case Seconds:
      if (role == Qt::ToolTipRole) return tr("Training time of the trial's transfer runs");
      return sort ? QVariant(trial.seconds) : QVariant(QString::fromStdString(format_duration(trial.seconds)));
    case Status:
      if (role == Qt::ToolTipRole) return QString::fromStdString(trial.run_dir);
      return QString::fromStdString(trial.verdict.empty() ? trial.status : trial.status + " · " + trial.verdict);
    case MetricCount: break;
  }
  return {};
}

QVariant SweepTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  const int axis = section - 1;
  const bool isAxis = axis >= 0 && axis < static_cast<int>(table_.axes.size());
  if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && isAxis) {
    return sweepAxisTitle(table_.axes[static_cast<size_t>(axis)]);
  }
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  if (section == 0) return tr("#");
  if (isAxis) return sweepAxisShortTitle(table_.axes[static_cast<size_t>(axis)]);
  switch (section - metricColumn(Accuracy)) {
    case Accuracy: return tr("Accuracy");
    case TwinAccuracy: return tr("Twin");
    case Gain: return tr("Gain (pts)");
    case Seconds: return tr("Time");
    case Status: return tr("Status");
    default: return {};
  }
}

SweepTrialFilter::SweepTrialFilter(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(SweepTableModel::SortRole);
  setFilterCaseSensitivity(Qt::CaseInsensitive);
  setFilterKeyColumn(-1);
}

}  // namespace tl
