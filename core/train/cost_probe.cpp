#include "train/cost_probe.h"

#include "models/model_zoo.h"
#include "train/allocator_tuning.h"
#include "train/weight_memory_format.h"

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

namespace tl {
namespace {

/// Counts the bytes LibTorch's CPU allocator hands out and takes back in this
/// thread. The allocator reports every allocation to the thread's
/// PROFILER_STATE debug info when it asks for memory profiling, which is what
/// this class does while installed with a DebugInfoGuard. Everything counted
/// must be allocated and freed while it is installed, or frees go unmatched.
class AllocationCounter : public c10::MemoryReportingInfoBase {
 public:
  void reportMemoryUsage(void* /*ptr*/, int64_t alloc_size, int64_t /*total_allocated*/,
                         int64_t /*total_reserved*/, c10::Device device) override {
    if (device.type() != c10::DeviceType::CPU) return;
    current_ += alloc_size;
    peak_ = std::max(peak_, current_);
  }
  bool memoryProfilingEnabled() const override { return true; }

  int64_t peak() const { return peak_; }

 private:
  int64_t current_ = 0;
  int64_t peak_ = 0;
};

std::unique_ptr<torch::optim::Optimizer> make_probe_optimizer(torch::nn::Module& model, OptimizerKind kind) {
  if (kind == OptimizerKind::Adam) return std::make_unique<torch::optim::Adam>(model.parameters());
  return std::make_unique<torch::optim::SGD>(model.parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
}

/// Restores the calling thread's LibTorch thread count on scope exit.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int threads) : previous_(torch::get_num_threads()) { torch::set_num_threads(threads); }
  ~ThreadCountGuard() { torch::set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

}  // namespace

double TrainingCost::seconds_per_epoch(int64_t images) const {
  if (batch_size < 1) return 0.0;
  const int64_t batches = (images + batch_size - 1) / batch_size;
  return seconds_per_batch * static_cast<double>(batches);
}

TrainingCost probe_training_cost(const std::string& architecture, const InputShape& input,
                                 const CostProbeOptions& options) {
  if (options.batch_size < 1) {
    throw std::invalid_argument("cost probe: batch size must be >= 1, got " + std::to_string(options.batch_size));
  }
  ThreadCountGuard threads(training_thread_count(options.threads));
  keep_freed_memory_for_reuse();  // as the Trainer does
  torch::AutoGradMode grad_mode(true);
  TrainingCost cost;
  cost.architecture = architecture;
  cost.batch_size = options.batch_size;
  const auto counter = std::make_shared<AllocationCounter>();
  {
    c10::DebugInfoGuard counting(c10::DebugInfoKind::PROFILER_STATE, counter);
    TransferModel model = make_model(architecture, options.num_classes, input);
    set_weight_memory_format(*model, at::MemoryFormat::ChannelsLast);  // as the Trainer trains by default
    model->train();
    cost.parameters = count_parameters(*model);
    for (const auto& p : model->parameters()) cost.parameter_bytes += p.numel() * p.element_size();
    auto optimizer = make_probe_optimizer(*model, options.optimizer);
    const auto x = torch::randn({options.batch_size, input.channels, input.height, input.width});
    const auto y = torch::randint(options.num_classes, {options.batch_size}, torch::kLong);
    const auto step = [&] {
      optimizer->zero_grad();
      torch::nn::functional::cross_entropy(model->forward(x), y).backward();
      optimizer->step();
    };
    step();  // warm-up: creates gradients and optimizer state, picks kernels
    double seconds = 0.0;
    for (int64_t i = 0; i < options.steps; ++i) {
      if (options.cancel && options.cancel->load()) break;
      const auto start = std::chrono::steady_clock::now();
      step();
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++cost.steps;
    }
    if (cost.steps == 0) throw std::runtime_error("cost probe of " + architecture + " cancelled");
    cost.seconds_per_batch = seconds / static_cast<double>(cost.steps);
  }
  cost.peak_bytes = counter->peak();
  return cost;
}

}  // namespace tl
