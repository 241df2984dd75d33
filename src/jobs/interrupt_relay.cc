#include "jobs/interrupt_relay.h"

#include <chrono>
#include <csignal>

namespace kiln::jobs {

InterruptRelay::InterruptRelay(const std::function<int()>& interrupts, runtime::Sandbox* sandbox) {
  if (!interrupts || !sandbox) return;
  thread_ = std::thread([this, interrupts, sandbox] {
    int acted = 0;
    while (!done_.load()) {
      int n = interrupts();
      if (n > acted) {
        (void)sandbox->Signal(acted == 0 ? SIGINT : SIGKILL);
        acted = n;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

InterruptRelay::~InterruptRelay() {
  done_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace kiln::jobs
