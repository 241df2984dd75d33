// Passes a runner's interrupts on to a sandbox's processes while a step runs: a thread that
// polls `interrupts` (how many SIGINT/SIGTERM the caller has had so far) and, for each new one,
// signals the sandbox: SIGINT on the first, SIGKILL on any later. It ends with the object.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include "runtime/sandbox.h"

namespace kiln::jobs {

class InterruptRelay {
 public:
  // Nothing happens when `interrupts` is null. `sandbox` must outlive the object.
  InterruptRelay(const std::function<int()>& interrupts, runtime::Sandbox* sandbox);
  ~InterruptRelay();
  InterruptRelay(const InterruptRelay&) = delete;
  InterruptRelay& operator=(const InterruptRelay&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace kiln::jobs
