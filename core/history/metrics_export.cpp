#include "history/metrics_export.h"

#include "util/atomic_file.h"

#include <iomanip>
#include <sstream>

namespace tl {
namespace {

/// RFC 4180 quoting.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace

std::string epochs_csv(const std::vector<HistoryRun>& runs) {
  std::ostringstream csv;
  csv << "run_id,name,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n" << std::setprecision(8);
  for (const HistoryRun& run : runs) {
    for (const EpochEvent& e : run.epochs) {
      csv << run.id << ',' << csv_field(run.name) << ',' << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy
          << ',' << e.val_loss << ',' << e.val_accuracy << ',' << e.seconds << '\n';
    }
  }
  return csv.str();
}

void write_epochs_csv(const std::vector<HistoryRun>& runs, const std::string& path) {
  write_file_atomically(path, epochs_csv(runs));
}

}  // namespace tl
