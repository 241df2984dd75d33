// A long-lived child process for tests (a registry, a token server), stopped on destruction.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace kiln::testing {

// Runs argv (RunProcess, in a thread of its own) with stdout and stderr appended to `log_file`
// and the environment `env` (nullopt-like empty: inherited). The destructor sends SIGTERM,
// then SIGKILL should it not end, and waits for the child: no process outlives the object.
// Should the test process die first (a crash, a ctest timeout), the child gets SIGKILL
// (SubprocessOptions::die_with_parent: the waiter thread that started it is the parent).
class BackgroundProcess {
 public:
  static Result<std::unique_ptr<BackgroundProcess>> Start(const std::vector<std::string>& argv,
                                                          const std::string& log_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  int pid() const { return pid_; }
  // False once the child has exited (then exit_code() is set).
  bool running() const { return !exited_.load(); }
  int exit_code() const { return exit_code_.load(); }
  // The log file's content (for error messages when the child does not come up).
  std::string Log() const;

 private:
  BackgroundProcess() = default;
  std::string log_file_;
  int pid_ = -1;
  std::atomic<bool> exited_{false};
  std::atomic<int> exit_code_{-1};
  std::thread waiter_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
Result<int> FreeLoopbackPort();

}  // namespace kiln::testing
