#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

namespace tl {

/// How far a long analysis has come: the step under way ("confusion matrix",
/// "t-SNE (trained model)") and the fraction of the whole analysis done, in [0, 1].
struct AnalysisProgress {
  std::string step;
  double fraction = 0.0;
};

/// Called on the analysing thread; keep it short (a GUI forwards it queued).
using AnalysisProgressFn = std::function<void(const AnalysisProgress&)>;

/// Thrown when the caller's cancel flag was set; nothing has been written then.
class AnalysisCancelled : public std::runtime_error {
 public:
  AnalysisCancelled() : std::runtime_error("analysis cancelled") {}
};

/// Throws AnalysisCancelled when `cancel` is set. A null flag never cancels.
inline void throw_if_cancelled(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed)) throw AnalysisCancelled();
}

}  // namespace tl
