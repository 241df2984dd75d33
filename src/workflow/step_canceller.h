// Stopping a running step the way GitHub's runner does: when the run is interrupted (Ctrl-C,
// SIGTERM) or the step outlives its time limit (timeout-minutes), the step's processes get
// SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that, until the step ends. The
// sandbox itself lives on, so `if: always()` / `cancelled()` steps can still run afterwards.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "runtime/sandbox.h"

namespace kiln::workflow {

struct CancelTimings {
  double term_after = 7.5;  // seconds from SIGINT to SIGTERM
  double kill_after = 2.5;  // seconds from SIGTERM to SIGKILL
};

class StepCanceller {
 public:
  // Watches, from a thread for as long as this object lives, `interrupts` (how many interrupts
  // the run has had) and the clock; starts stopping the step once the count exceeds `seen` (the
  // count the job already acted on: a step that runs after a cancellation is stopped only by a
  // further interrupt) or after `limit_s` seconds (0 = no limit). No thread when there is
  // nothing to watch.
  StepCanceller(runtime::Sandbox* sandbox, std::function<int()> interrupts, int seen,
                double limit_s = 0, CancelTimings timings = {});
  ~StepCanceller();  // stops watching; joins the thread
  StepCanceller(const StepCanceller&) = delete;
  StepCanceller& operator=(const StepCanceller&) = delete;

  // Whether the step was signalled because of an interrupt (it ended cancelled) or of its time
  // limit (it failed: timed out).
  bool interrupted() const { return fired_ && !timed_out_; }
  bool timed_out() const { return timed_out_; }

 private:
  void Watch();
  runtime::Sandbox* sandbox_;
  std::function<int()> interrupts_;
  int seen_;
  double limit_s_;
  CancelTimings timings_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::atomic<bool> timed_out_{false};
  std::thread thread_;
};

}  // namespace kiln::workflow
