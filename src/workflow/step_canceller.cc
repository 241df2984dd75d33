#include "workflow/step_canceller.h"

#include <chrono>
#include <csignal>

namespace kiln::workflow {

StepCanceller::StepCanceller(runtime::Sandbox* sandbox, std::function<int()> interrupts, int seen,
                             double limit_s, CancelTimings timings)
    : sandbox_(sandbox),
      interrupts_(std::move(interrupts)),
      seen_(seen),
      limit_s_(limit_s),
      timings_(timings) {
  if (sandbox_ != nullptr && (interrupts_ || limit_s_ > 0))
    thread_ = std::thread([this] { Watch(); });
}

StepCanceller::~StepCanceller() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StepCanceller::Watch() {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + duration_cast<steady_clock::duration>(
                                            duration<double>(limit_s_ > 0 ? limit_s_ : 1e9));
  std::unique_lock lock(mu_);
  // Poll the interrupt count: it is bumped by a signal handler, which cannot notify.
  while (!cv_.wait_for(lock, milliseconds(50), [this] { return done_; })) {
    if (interrupts_ && interrupts_() > seen_) break;
    if (steady_clock::now() >= deadline) {
      timed_out_ = true;
      break;
    }
  }
  if (done_) return;
  fired_ = true;
  auto step = [&](int sig, double wait_s) {
    (void)sandbox_->Signal(sig);
    return cv_.wait_for(lock, duration<double>(wait_s), [this] { return done_; });
  };
  if (step(SIGINT, timings_.term_after) || step(SIGTERM, timings_.kill_after)) return;
  // Still running: SIGKILL, repeated in case the step keeps forking.
  while (!step(SIGKILL, 0.5)) {
  }
}

}  // namespace kiln::workflow
