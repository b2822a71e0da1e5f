#include "train/training_events.h"

namespace tl {

std::string run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Cancelled:
      return "cancelled";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Diverged:
      return "diverged";
  }
  return "unknown";
}

}  // namespace tl
