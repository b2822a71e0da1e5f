#include "runs/runs_table_model.h"

#include "experiment/verdict_label.h"

#include <QDateTime>

namespace tl {
namespace {

QString percent(const std::optional<double>& value) {
  return value ? QStringLiteral("%1 %").arg(100.0 * *value, 0, 'f', 1) : QStringLiteral("–");
}

/// "2026-11-26T16:45:50Z" in the user's local time, "2026-11-26 17:45".
QString localDate(const std::string& iso) {
  QDateTime utc = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODate);
  if (!utc.isValid()) return QString::fromStdString(iso);
  return utc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

/// "positive transfer", "single seed": the label as the verdict banner words it;
/// a label this version does not know is shown as recorded.
QString verdictTitle(const std::string& name) {
  if (name.empty()) return QStringLiteral("–");
  const std::optional<VerdictLabel> label = verdict_label_from_name(name);
  return QString::fromStdString(label ? verdict_label_title(*label) : name);
}

}  // namespace

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent) {}
RunsTableModel::~RunsTableModel() = default;

void RunsTableModel::setHistoryPath(const QString& path) {
  path_ = path;
  history_.reset();
  refresh();
}

bool RunsTableModel::ensureOpen() {
  if (history_) return true;
  if (path_.isEmpty()) {
    error_ = tr("No run history file is set.");
    return false;
  }
  try {
    history_ = std::make_unique<RunHistory>(path_.toStdString());
    error_.clear();
    return true;
  } catch (const std::exception& e) {
    error_ = QString::fromStdString(e.what());
    return false;
  }
}

void RunsTableModel::fail(const std::exception& e) {
  error_ = QString::fromStdString(e.what());
  Q_EMIT errorOccurred(error_);
}

void RunsTableModel::refresh() {
  beginResetModel();
  runs_.clear();
  if (ensureOpen()) {
    try {
      runs_ = history_->list();
      error_.clear();
    } catch (const std::exception& e) {
      error_ = QString::fromStdString(e.what());
      history_.reset();  // reopen next time: the file may have been replaced
    }
  }
  endResetModel();
}

const HistoryRun* RunsTableModel::runAt(int row) const {
  return row >= 0 && row < static_cast<int>(runs_.size()) ? &runs_[static_cast<size_t>(row)] : nullptr;
}

int RunsTableModel::rowOfId(qint64 id) const {
  for (size_t i = 0; i < runs_.size(); ++i) {
    if (runs_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

std::vector<EpochEvent> RunsTableModel::epochs(qint64 id) {
  if (!ensureOpen()) return {};
  try {
    return history_->epochs(id);
  } catch (const std::exception& e) {
    fail(e);
    return {};
  }
}

std::optional<HistoryRun> RunsTableModel::run(qint64 id) {
  if (!ensureOpen()) return std::nullopt;
  try {
    return history_->find(id);
  } catch (const std::exception& e) {
    fail(e);
    return std::nullopt;
  }
}

int RunsTableModel::removeRuns(const QList<qint64>& ids) {
  if (!ensureOpen()) return 0;
  int removed = 0;
  for (qint64 id : ids) {
    try {
      if (!history_->remove(id)) continue;
    } catch (const std::exception& e) {
      fail(e);
      break;
    }
    ++removed;
    const int row = rowOfId(id);
    if (row < 0) continue;
    beginRemoveRows({}, row, row);
    runs_.erase(runs_.begin() + row);
    endRemoveRows();
  }
  return removed;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
  const HistoryRun* run = index.isValid() ? runAt(index.row()) : nullptr;
  if (!run) return {};
  if (role == IdRole) return QVariant::fromValue<qint64>(run->id);
  const auto column = static_cast<Column>(index.column());
  if (role == SortRole) {
    switch (column) {
      case Date: return QString::fromStdString(run->created);
      case TestAccuracy: return run->test_accuracy ? *run->test_accuracy : -1.0;
      case Seconds: return run->seconds;
      default: return data(index, Qt::DisplayRole).toString().toLower();
    }
  }
  if (role == Qt::ToolTipRole) {
    QString tip = QString::fromStdString(run->output_dir);
    if (!run->message.empty()) tip += QLatin1Char('\n') + QString::fromStdString(run->message);
    if (!run->model_file.empty()) tip += tr("\nmodel: %1").arg(QString::fromStdString(run->model_file));
    return tip;
  }
  if (role == Qt::TextAlignmentRole && (column == TestAccuracy || column == Seconds)) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
  switch (column) {
    case Name: return QString::fromStdString(run->name);
    case Date: return localDate(run->created);
    case Model: return QString::fromStdString(run->model);
    case Strategy: return QString::fromStdString(run->strategy).replace(QLatin1Char('_'), QLatin1Char(' '));
    case Status: return QString::fromStdString(run->status);
    case TestAccuracy: return percent(run->test_accuracy);
    case Verdict: return verdictTitle(run->verdict);
    case Seconds: return QString::number(run->seconds, 'f', 1);
    case ColumnCount: break;
  }
  return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
    case Name: return tr("Name");
    case Date: return tr("Date");
    case Model: return tr("Model");
    case Strategy: return tr("Strategy");
    case Status: return tr("Status");
    case TestAccuracy: return tr("Test accuracy");
    case Verdict: return tr("Verdict");
    case Seconds: return tr("Seconds");
    case ColumnCount: break;
  }
  return {};
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  if (index.isValid() && index.column() == Name) f |= Qt::ItemIsEditable;
  return f;
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || index.column() != Name || !index.isValid() || !ensureOpen()) return false;
  const QString name = value.toString().trimmed();
  auto& run = runs_[static_cast<size_t>(index.row())];
  if (name.isEmpty() || name.toStdString() == run.name) return false;
  try {
    if (!history_->rename(run.id, name.toStdString())) return false;
  } catch (const std::exception& e) {
    fail(e);
    return false;
  }
  run.name = name.toStdString();
  Q_EMIT dataChanged(index, index);
  return true;
}

}  // namespace tl
